package com.example.flashsale.waitingroom;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/** Opening and closing rooms, and taking tickets (docs/api.md "Waiting room", docs/flows.md "Waiting room"). */
@Service
class WaitingRooms {

	private final RoomRepository repository;

	private final ActiveRooms rooms;

	private final RoomState state;

	private final WaitingRoomMetrics metrics;

	private final Clock clock;

	private final Map<TargetType, RoomTargets> targets = new EnumMap<>(TargetType.class);

	WaitingRooms(RoomRepository repository, ActiveRooms rooms, RoomState state, WaitingRoomMetrics metrics, Clock clock,
			List<RoomTargets> targets) {
		this.repository = repository;
		this.rooms = rooms;
		this.state = state;
		this.metrics = metrics;
		this.clock = clock;
		targets.forEach((checker) -> this.targets.put(checker.type(), checker));
		for (TargetType type : TargetType.values()) {
			if (!this.targets.containsKey(type)) {
				throw new IllegalStateException("No RoomTargets bean answers for room targets of type " + type);
			}
		}
	}

	/**
	 * Opens a room; 404 COUPON_NOT_FOUND or PRODUCT_NOT_FOUND when its target does not exist (nothing is
	 * written), 409 ROOM_ALREADY_OPEN when its target has one.
	 */
	Mono<RoomView> open(NewRoom request) {
		Instant now = this.clock.instant();
		// MySQL keeps microseconds: the room everyone reads back is the one answered
		Instant opensAt = ((request.opensAt() != null) ? request.opensAt() : now).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
		return this.targets.get(request.targetType()).requireExists(request.targetId()).then(this.repository.insert(request.targetType(), request.targetId(), request.admissionsPerSecond(), opensAt, now)
			.map((id) -> new Room(id, request.targetType(), request.targetId(), request.admissionsPerSecond(), opensAt, true))
			// a queue left in Redis under this id (a database restored behind Redis) is not this room's
			.flatMap((room) -> this.state.clear(room.id()).thenReturn(room))
			.doOnNext(this.rooms::opened)
			.map((room) -> RoomView.of(room, now)));
	}

	/** Closes a room and deletes its queue; 404 ROOM_NOT_FOUND, 410 ROOM_CLOSED when already closed. */
	Mono<RoomView> close(long roomId) {
		Instant now = this.clock.instant();
		return existing(roomId).flatMap((room) -> this.repository.close(roomId, now).flatMap((changed) -> {
			if (changed == 0) {
				return Mono.error(closed(roomId));
			}
			this.rooms.closed(roomId);
			this.metrics.closed(roomId);
			Room closed = new Room(room.id(), room.targetType(), room.targetId(), room.admissionsPerSecond(), room.opensAt(), false);
			return this.state.clear(roomId).thenReturn(RoomView.of(closed, now));
		}));
	}

	/** A room with its counts; 404 ROOM_NOT_FOUND. */
	Mono<RoomView> view(long roomId) {
		Instant now = this.clock.instant();
		return existing(roomId).flatMap((room) -> room.open()
				? this.state.counts(roomId).map((counts) -> RoomView.of(room, now).withCounts(counts[0], counts[1]))
				: Mono.just(RoomView.of(room, now)));
	}

	/**
	 * The body of a ticket answer.
	 * @param position its place (1 = next); null in the pre-queue (drawn at the opening); 0 once admitted
	 * @param etaSeconds estimated seconds until admission
	 */
	record TicketView(long ticketId, @Schema(nullable = true) Long position, long etaSeconds) {
	}

	/** A ticket answer and whether it was just taken (201) or the caller's existing one (200). */
	record TicketTaken(TicketView ticket, boolean created) {
	}

	/** Takes {@code userId}'s ticket; 404 ROOM_NOT_FOUND, 410 ROOM_CLOSED. */
	Mono<TicketTaken> take(long roomId, long userId) {
		return openRoom(roomId).flatMap((room) -> this.state.take(room, userId).map((taken) -> {
			Instant now = this.clock.instant();
			long untilOpening = Math.max(0, ceilSeconds(Duration.between(now, room.opensAt())));
			Long position = taken.admitted() ? Long.valueOf(0) : (taken.position() == 0) ? null : taken.position();
			long eta = (position == null) ? untilOpening
					: untilOpening + (position + room.admissionsPerSecond() - 1) / room.admissionsPerSecond();
			return new TicketTaken(new TicketView(taken.ticketId(), position, eta), taken.created());
		}));
	}

	/** The open room {@code roomId}; 404 ROOM_NOT_FOUND, 410 ROOM_CLOSED. */
	Mono<Room> openRoom(long roomId) {
		ActiveRooms.Snapshot known = this.rooms.known();
		Room room = (known != null) ? known.byId().get(roomId) : null;
		if (room != null) {
			return Mono.just(room);
		}
		return existing(roomId).flatMap((found) -> found.open() ? Mono.just(found) : Mono.error(closed(roomId)));
	}

	/** The user holding ticket {@code ticketId}, when it is {@code userId}; 404 TICKET_NOT_FOUND otherwise. */
	Mono<Void> owned(long roomId, long ticketId, long userId) {
		return this.state.owner(roomId, ticketId)
			.filter((owner) -> owner == userId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.TICKET_NOT_FOUND, "You hold no ticket " + ticketId
					+ " in waiting room " + roomId + " (never taken, dropped out, or its admission expired).")))
			.then();
	}

	private Mono<Room> existing(long roomId) {
		return this.repository.find(roomId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.ROOM_NOT_FOUND, "Waiting room " + roomId
					+ " does not exist.")));
	}

	private static ProblemException closed(long roomId) {
		return new ProblemException(ErrorCode.ROOM_CLOSED, "Waiting room " + roomId + " is closed.");
	}

	private static long ceilSeconds(Duration duration) {
		long millis = duration.toMillis();
		return (millis <= 0) ? 0 : (millis + 999) / 1000;
	}

}
