package com.example.flashsale.waitingroom;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;

import reactor.core.publisher.Flux;

import org.springframework.stereotype.Component;

/**
 * The open waiting rooms with their queues, for the operator console (docs/operations.md "Operator console"):
 * the rooms this instance knows are open (refreshed every second) and, per room, the tickets waiting and the
 * admissions so far, read from Redis (three reads per room).
 */
@Component
public class RoomsLive {

	private final ActiveRooms rooms;

	private final RoomState state;

	private final Clock clock;

	RoomsLive(ActiveRooms rooms, RoomState state, Clock clock) {
		this.rooms = rooms;
		this.state = state;
		this.clock = clock;
	}

	/**
	 * One open room as the console shows it.
	 * @param targetType {@code COUPON} or {@code PRODUCT}
	 * @param admissionsPerSecond the configured pace
	 * @param status {@code SCHEDULED} (before its opening: tickets go to the pre-queue) or {@code OPEN}
	 * @param waiting tickets waiting now, in the queue and the pre-queue
	 * @param admitted admissions so far
	 */
	public record RoomLive(long roomId, String targetType, long targetId, int admissionsPerSecond, Instant opensAt,
			String status, long waiting, long admitted) {
	}

	/** The first {@code limit} open rooms by id, with their counts. */
	public Flux<RoomLive> open(int limit) {
		Instant now = this.clock.instant();
		return this.rooms.current()
			.flatMapMany((snapshot) -> Flux.fromIterable(snapshot.byId().values()
				.stream()
				.sorted(Comparator.comparingLong(Room::id))
				.limit(limit)
				.toList()))
			.concatMap((room) -> this.state.counts(room.id())
				.map((counts) -> new RoomLive(room.id(), room.targetType().name(), room.targetId(),
						room.admissionsPerSecond(), room.opensAt(), room.status(now), counts[0], counts[1])));
	}

}
