package com.example.flashsale.waitingroom;

import java.net.URI;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.security.StreamTokens;
import com.example.flashsale.support.web.Requests;
import com.example.flashsale.support.web.StreamLimits;

/** HTTP mapping of the waiting rooms (docs/api.md "Waiting room"); decisions in {@link WaitingRooms}. */
@Component
class WaitingRoomHandler {

	private final WaitingRooms rooms;

	private final TicketStreams streams;

	private final Requests requests;

	private final StreamLimits streamLimits;

	private final StreamTokens streamTokens;

	WaitingRoomHandler(WaitingRooms rooms, TicketStreams streams, Requests requests, StreamLimits streamLimits,
			StreamTokens streamTokens) {
		this.rooms = rooms;
		this.streams = streams;
		this.requests = requests;
		this.streamLimits = streamLimits;
		this.streamTokens = streamTokens;
	}

	/**
	 * {@code POST /api/waiting-room/{roomId}/tickets/{ticketId}/stream-token}: a short-lived token that opens
	 * this ticket's stream as {@code ?streamToken=} (for a browser's EventSource); 404 for another user's ticket.
	 */
	Mono<ServerResponse> streamToken(ServerRequest request) {
		return this.requests.pathId(request, "roomId")
			.zipWith(this.requests.pathId(request, "ticketId"))
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> {
				long roomId = args.getT1().getT1();
				long ticketId = args.getT1().getT2();
				long userId = args.getT2();
				return this.rooms.openRoom(roomId)
					.then(this.rooms.owned(roomId, ticketId, userId))
					.then(Mono.fromCallable(() -> this.streamTokens.issue(userId, StreamTokens.ticketResource(roomId, ticketId),
							java.util.List.of())));
			})
			.flatMap((issued) -> ServerResponse.ok().bodyValue(issued));
	}

	/** {@code POST /api/admin/waiting-rooms} -> 201 {@code {roomId, targetType, targetId, admissionsPerSecond, opensAt, status}}. */
	Mono<ServerResponse> open(ServerRequest request) {
		return this.requests.body(request, NewRoom.class)
			.flatMap(this.rooms::open)
			.flatMap((room) -> ServerResponse.created(URI.create("/api/admin/waiting-rooms/" + room.roomId())).bodyValue(room));
	}

	/** {@code DELETE /api/admin/waiting-rooms/{roomId}} -> 200 the closed room. */
	Mono<ServerResponse> close(ServerRequest request) {
		return this.requests.pathId(request, "roomId")
			.flatMap(this.rooms::close)
			.flatMap((room) -> ServerResponse.ok().bodyValue(room));
	}

	/** {@code GET /api/admin/waiting-rooms/{roomId}} -> 200 the room with its counts. */
	Mono<ServerResponse> view(ServerRequest request) {
		return this.requests.pathId(request, "roomId")
			.flatMap(this.rooms::view)
			.flatMap((room) -> ServerResponse.ok().bodyValue(room));
	}

	/** {@code POST /api/waiting-room/{roomId}/tickets} -> 201 a new ticket, 200 the caller's existing one. */
	Mono<ServerResponse> take(ServerRequest request) {
		return this.requests.pathId(request, "roomId")
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.rooms.take(args.getT1(), args.getT2())
				.flatMap((taken) -> taken.created()
						? ServerResponse.created(URI.create("/api/waiting-room/" + args.getT1() + "/tickets/"
								+ taken.ticket().ticketId() + "/events")).bodyValue(taken.ticket())
						: ServerResponse.ok().bodyValue(taken.ticket())));
	}

	/**
	 * {@code GET /api/waiting-room/{roomId}/tickets/{ticketId}/events}: the ticket's positions, then its
	 * admission, as server-sent events; 429 TOO_MANY_STREAMS beyond the caller's open streams.
	 */
	Mono<ServerResponse> events(ServerRequest request) {
		return this.requests.pathId(request, "roomId")
			.zipWith(this.requests.pathId(request, "ticketId"))
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> {
				long roomId = args.getT1().getT1();
				long ticketId = args.getT1().getT2();
				long userId = args.getT2();
				return this.rooms.openRoom(roomId)
					.flatMap((room) -> this.rooms.owned(roomId, ticketId, userId)
						.then(ServerResponse.ok()
							.contentType(MediaType.TEXT_EVENT_STREAM)
							.header("Cache-Control", "no-cache")
							.header("X-Accel-Buffering", "no")
							.body(BodyInserters.fromServerSentEvents(
									this.streamLimits.limited(userId, this.streams.events(room, ticketId, userId))))));
			});
	}

}
