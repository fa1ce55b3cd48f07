package com.example.flashsale.console;

import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/** HTTP mapping of the operator console (docs/operations.md "Operator console"). */
@Component
class ConsoleHandler {

	/** The SSE event name of a snapshot. */
	static final String EVENT = "snapshot";

	private static final Resource PAGE = new ClassPathResource("static/console/index.html");

	private final LiveSnapshots snapshots;

	ConsoleHandler(LiveSnapshots snapshots) {
		this.snapshots = snapshots;
	}

	/** {@code GET /console}: the page (it asks for an admin token, or takes one from the local profile). */
	Mono<ServerResponse> page(ServerRequest request) {
		return ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(PAGE);
	}

	/**
	 * {@code GET /api/admin/live} (ADMIN): {@code event: snapshot} with a {@link LiveSnapshot} every second,
	 * the latest one at once.
	 */
	Mono<ServerResponse> live(ServerRequest request) {
		return ServerResponse.ok()
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.header("Cache-Control", "no-cache")
			.header("X-Accel-Buffering", "no")
			.body(BodyInserters.fromServerSentEvents(this.snapshots.stream()
				.map((snapshot) -> ServerSentEvent.builder(snapshot).event(EVENT).build())));
	}

}
