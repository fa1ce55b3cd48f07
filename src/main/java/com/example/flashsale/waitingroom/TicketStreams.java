package com.example.flashsale.waitingroom;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * {@code GET /api/waiting-room/{roomId}/tickets/{ticketId}/events} (docs/api.md "Waiting room"): a ticket's
 * place as server-sent events.
 * <ul>
 * <li>An {@code :open} comment at once; then {@code event: position} {@code {position, etaSeconds}} at once
 * and whenever the position drops (never a higher one than already sent; {@code position} is null while
 * the ticket is in the pre-queue, {@code etaSeconds} then counts down to the opening); then {@code event:
 * admitted} {@code {admissionToken, expiresAt}} and the end of the stream. A stream whose ticket drops
 * out, or whose room closes, ends.</li>
 * <li>Every {@code push-interval} (1 s) this instance reads where all tickets of its open streams stand in
 * one script call per room (room-poll.lua), which also marks them heard of: an open stream is what keeps
 * a ticket in the queue. A heartbeat comment every {@code heartbeat} (15 s).</li>
 * </ul>
 * An open stream holds a map entry and a small buffer: no thread and no Redis connection of its own.
 */
@Component
class TicketStreams extends BackgroundJob {

	/** The comment every stream starts with. */
	static final String OPENED = "open";

	private static final int POLL_CHUNK = 1_000;

	private final RoomState state;

	private final ActiveRooms rooms;

	private final AdmissionTokens tokens;

	private final WaitingRoomMetrics metrics;

	private final WaitingRoomProperties properties;

	private final Clock clock;

	/** Open streams by room. */
	private final Map<Long, Set<Watcher>> watchers = new ConcurrentHashMap<>();

	TicketStreams(RoomState state, ActiveRooms rooms, AdmissionTokens tokens, WaitingRoomMetrics metrics,
			WaitingRoomProperties properties, Clock clock, SingleRunJobs jobs) {
		super(jobs);
		this.state = state;
		this.rooms = rooms;
		this.tokens = tokens;
		this.metrics = metrics;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * The {@code data} of a position event.
	 * @param position the ticket's place (1 = next); null while in the pre-queue
	 * @param etaSeconds estimated seconds until admission
	 */
	record Position(Long position, long etaSeconds) {
	}

	/**
	 * The {@code data} of the admitted event.
	 * @param admissionToken the value of the {@value AdmissionGate#HEADER} header, single use
	 * @param expiresAt when it stops admitting
	 */
	record Admitted(String admissionToken, Instant expiresAt) {
	}

	/** The events of {@code userId}'s ticket {@code ticketId} of the open room {@code room}. */
	Flux<ServerSentEvent<Object>> events(Room room, long ticketId, long userId) {
		return Flux.defer(() -> {
			Watcher watcher = new Watcher(room, ticketId, userId);
			Flux<RoomState.Standing> first = this.state.poll(room.id(), List.of(ticketId))
				.flatMapIterable((list) -> list);
			// the updates end the stream: the heartbeats stop once they did (after their last event went out)
			Flux<ServerSentEvent<Object>> updates = Flux.concat(first, watcher.sink.asFlux())
				.<ServerSentEvent<Object>>handle((standing, sink) -> watcher.next(standing, sink::next, sink::complete))
				.doFinally((signal) -> watcher.done.tryEmitValue(true));
			Flux<ServerSentEvent<Object>> heartbeats = Flux.interval(this.properties.heartbeat(), this.properties.heartbeat())
				.onBackpressureDrop()
				.map((tick) -> ServerSentEvent.builder().comment("heartbeat").build())
				.takeUntilOther(watcher.done.asMono());
			return Flux.merge(updates, heartbeats)
				.startWith(ServerSentEvent.builder().comment(OPENED).build())
				.doOnSubscribe((subscription) -> this.watchers.computeIfAbsent(room.id(), (id) -> ConcurrentHashMap.newKeySet())
					.add(watcher))
				.doFinally((signal) -> this.watchers.computeIfPresent(room.id(), (id, set) -> {
					set.remove(watcher);
					return set.isEmpty() ? null : set;
				}));
		});
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("waiting-room-streams", this.properties.pushInterval(), this.properties.pushInterval());
	}

	/**
	 * Polls where the tickets of this instance's open streams stand, one script call per room and chunk of
	 * {@value #POLL_CHUNK} tickets, and feeds each stream its standing. The fan-out (every stream's event
	 * encoded and written) runs where the template delivers the last reply, on the parallel scheduler
	 * ({@link com.example.flashsale.support.redis.RetryingRedisTemplate}), never on the Redis connection's
	 * only I/O thread, where every other command's reply would wait behind the whole room.
	 */
	@Override
	protected Mono<?> runOnce() {
		return Flux.fromIterable(List.copyOf(this.watchers.entrySet())).flatMap((entry) -> {
			List<Watcher> watching = List.copyOf(entry.getValue());
			Set<Long> tickets = new LinkedHashSet<>();
			watching.forEach((watcher) -> tickets.add(watcher.ticketId));
			List<Long> all = new ArrayList<>(tickets);
			List<List<Long>> chunks = new ArrayList<>();
			for (int i = 0; i < all.size(); i += POLL_CHUNK) {
				chunks.add(all.subList(i, Math.min(all.size(), i + POLL_CHUNK)));
			}
			// filled by one chunk's reply after the other (concatMap), read once all are in
			Map<Long, RoomState.Standing> standings = new HashMap<>();
			return Flux.fromIterable(chunks)
				.concatMap((chunk) -> this.state.poll(entry.getKey(), chunk).doOnNext((replies) -> {
					for (int i = 0; i < chunk.size() && i < replies.size(); i++) {
						standings.put(chunk.get(i), replies.get(i));
					}
				}))
				.then(Mono.fromRunnable(() -> watching.forEach((watcher) -> {
					RoomState.Standing standing = standings.get(watcher.ticketId);
					if (standing != null) {
						watcher.sink.tryEmitNext(standing);
					}
				})));
		}, 4).then();
	}

	/** One open stream; its sink is fed by the poller, read by its one serialized pipeline. */
	private final class Watcher {

		final Room room;

		final long ticketId;

		final long userId;

		final Sinks.Many<RoomState.Standing> sink = Sinks.many().unicast().onBackpressureBuffer();

		final Sinks.One<Boolean> done = Sinks.one();

		/** The last position sent; 0 none yet, -1 the pre-queue's. */
		private long lastSent;

		Watcher(Room room, long ticketId, long userId) {
			this.room = room;
			this.ticketId = ticketId;
			this.userId = userId;
		}

		void next(RoomState.Standing standing, java.util.function.Consumer<ServerSentEvent<Object>> send, Runnable complete) {
			Instant now = TicketStreams.this.clock.instant();
			Room current = currentRoom();
			if (standing instanceof RoomState.Standing.Waiting waiting) {
				if (current == null) {
					finish(complete);
					return;
				}
				if (waiting.told() == 0) {
					if (this.lastSent == 0) {
						this.lastSent = -1;
						send.accept(position(null, Math.max(0, ceilSeconds(Duration.between(now, current.opensAt())))));
					}
					return;
				}
				if (this.lastSent <= 0 || waiting.told() < this.lastSent) {
					this.lastSent = waiting.told();
					TicketStreams.this.metrics.positionShown(waiting.told(), waiting.actual());
					long untilOpening = Math.max(0, ceilSeconds(Duration.between(now, current.opensAt())));
					long eta = untilOpening + (waiting.actual() + current.admissionsPerSecond() - 1) / current.admissionsPerSecond();
					send.accept(position(waiting.told(), eta));
				}
			}
			else if (standing instanceof RoomState.Standing.Admitted admitted) {
				Instant expiresAt = Instant.ofEpochMilli(admitted.atMillis()).plus(TicketStreams.this.properties.admissionTtl());
				if (expiresAt.isAfter(now)) {
					String token = TicketStreams.this.tokens.sign(this.userId, this.room.id(), this.ticketId, expiresAt);
					send.accept(ServerSentEvent.<Object>builder(new Admitted(token, expiresAt)).event("admitted").build());
				}
				finish(complete);
			}
			else {
				finish(complete);
			}
		}

		private Room currentRoom() {
			ActiveRooms.Snapshot known = TicketStreams.this.rooms.known();
			return (known != null) ? known.byId().get(this.room.id()) : this.room;
		}

		private void finish(Runnable complete) {
			complete.run();
		}

		private ServerSentEvent<Object> position(Long position, long etaSeconds) {
			return ServerSentEvent.<Object>builder(new Position(position, etaSeconds)).event("position").build();
		}

	}

	private static long ceilSeconds(Duration duration) {
		long millis = duration.toMillis();
		return (millis <= 0) ? 0 : (millis + 999) / 1000;
	}

}
