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

	/** The first {@code limit} open rooms by id, with their counts (as {@code GET} of one room shows them). */
	public Flux<RoomView> open(int limit) {
		Instant now = this.clock.instant();
		return this.rooms.current()
			.flatMapMany((snapshot) -> Flux.fromIterable(snapshot.byId().values()
				.stream()
				.sorted(Comparator.comparingLong(Room::id))
				.limit(limit)
				.toList()))
			.concatMap((room) -> this.state.counts(room.id())
				.map((counts) -> RoomView.of(room, now).withCounts(counts[0], counts[1])));
	}

}
