package com.example.flashsale.console;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.security.StreamTokens;
import com.example.flashsale.support.web.Requests;
import com.example.flashsale.support.web.StreamLimits;

/** HTTP mapping of the operator console (docs/operations.md "Operator console"). */
@Component
class ConsoleHandler {

	/** The SSE event name of a snapshot. */
	static final String EVENT = "snapshot";

	private static final Resource PAGE = new ClassPathResource("static/console/index.html");

	private final LiveSnapshots snapshots;

	private final StreamTokens streamTokens;

	private final Requests requests;

	private final StreamLimits streamLimits;

	ConsoleHandler(LiveSnapshots snapshots, StreamTokens streamTokens, Requests requests, StreamLimits streamLimits) {
		this.snapshots = snapshots;
		this.streamTokens = streamTokens;
		this.requests = requests;
		this.streamLimits = streamLimits;
	}

	/**
	 * {@code POST /api/admin/live/stream-token} (ADMIN): a short-lived token that opens the live stream as
	 * {@code ?streamToken=}, for a browser's EventSource.
	 */
	Mono<ServerResponse> streamToken(ServerRequest request) {
		return this.requests.userId(request)
			.map((userId) -> this.streamTokens.issue(userId, StreamTokens.ADMIN_LIVE, List.of("ADMIN")))
			.flatMap((issued) -> ServerResponse.ok().bodyValue(issued));
	}

	/** {@code GET /console}: the page (it asks for an admin token, or takes one from the local profile). */
	Mono<ServerResponse> page(ServerRequest request) {
		return ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(PAGE);
	}

	/**
	 * {@code GET /api/admin/live} (ADMIN): {@code event: snapshot} with a {@link LiveSnapshot} every second,
	 * the latest one at once; 429 TOO_MANY_STREAMS beyond the caller's open streams ({@link StreamLimits}).
	 */
	Mono<ServerResponse> live(ServerRequest request) {
		return this.requests.userId(request)
			.flatMap((userId) -> ServerResponse.ok()
				.contentType(MediaType.TEXT_EVENT_STREAM)
				.header("Cache-Control", "no-cache")
				.header("X-Accel-Buffering", "no")
				// 429 TOO_MANY_STREAMS beyond the caller's cap, before the first byte
				.body(BodyInserters.fromServerSentEvents(this.streamLimits.limited(userId, this.snapshots.stream()
					.map((snapshot) -> ServerSentEvent.builder(snapshot).event(EVENT).build())))));
	}

}
