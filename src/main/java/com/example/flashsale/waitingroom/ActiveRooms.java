package com.example.flashsale.waitingroom;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * The open rooms, held in this instance's memory so that a request to an unprotected coupon or product
 * costs a map lookup (docs/flows.md "Waiting room"). Reread from MySQL every {@code refresh-interval}
 * (1 s): a room another instance opened or closed is seen within it; this instance's own changes at once.
 * Fails closed: until the first read succeeds every protected-endpoint check reads MySQL itself (and a
 * failure answers 503), and a failed reread keeps the last known rooms rather than protecting nothing.
 */
@Component
class ActiveRooms extends BackgroundJob {

	private final RoomRepository rooms;

	private final Duration interval;

	private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();

	/** Bumped by every local change, so a reread that started before it does not undo it. */
	private final AtomicLong changes = new AtomicLong();

	ActiveRooms(RoomRepository rooms, WaitingRoomProperties properties, SingleRunJobs jobs) {
		super(jobs);
		this.rooms = rooms;
		this.interval = properties.refreshInterval();
	}

	/** The open rooms by id and by target ({@link Room#target()}). */
	record Snapshot(Map<Long, Room> byId, Map<String, Room> byTarget) {

		static Snapshot of(List<Room> rooms) {
			Map<Long, Room> byId = new HashMap<>();
			Map<String, Room> byTarget = new HashMap<>();
			for (Room room : rooms) {
				byId.put(room.id(), room);
				byTarget.put(room.target(), room);
			}
			return new Snapshot(Map.copyOf(byId), Map.copyOf(byTarget));
		}

		Snapshot with(Room room) {
			Map<Long, Room> byId = new HashMap<>(this.byId);
			byId.values().removeIf((r) -> r.target().equals(room.target()));
			byId.put(room.id(), room);
			return of(List.copyOf(byId.values()));
		}

		Snapshot without(long roomId) {
			Map<Long, Room> byId = new HashMap<>(this.byId);
			byId.remove(roomId);
			return of(List.copyOf(byId.values()));
		}

	}

	/** The last known open rooms, or null before the first read. */
	Snapshot known() {
		return this.snapshot.get();
	}

	/** The open rooms: the known ones, or a read of MySQL before the first one succeeded. */
	Mono<Snapshot> current() {
		Snapshot known = this.snapshot.get();
		return (known != null) ? Mono.just(known) : reload();
	}

	/** Rereads the open rooms from MySQL. */
	Mono<Snapshot> reload() {
		return Mono.defer(() -> {
			long before = this.changes.get();
			return this.rooms.open().collectList().map(Snapshot::of).map((fresh) -> {
				// a local open or close since the read began wins; the next reread catches up
				return (this.changes.get() == before) ? fresh
						: this.snapshot.updateAndGet((known) -> (known != null) ? known : fresh);
			}).doOnNext((fresh) -> {
				if (this.changes.get() == before) {
					this.snapshot.set(fresh);
				}
			});
		});
	}

	/** Records a room this instance opened. */
	void opened(Room room) {
		this.changes.incrementAndGet();
		this.snapshot.updateAndGet((known) -> (known != null) ? known.with(room) : null);
	}

	/** Records a room this instance closed. */
	void closed(long roomId) {
		this.changes.incrementAndGet();
		this.snapshot.updateAndGet((known) -> (known != null) ? known.without(roomId) : null);
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("waiting-room-refresh", Duration.ZERO, this.interval);
	}

	@Override
	protected Mono<?> runOnce() {
		return reload();
	}

}
