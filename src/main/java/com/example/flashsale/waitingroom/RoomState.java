package com.example.flashsale.waitingroom;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.LuaScripts;

/**
 * A room's queue in Redis (docs/redis.md "Waiting room"): eight keys tagged by room, so every script runs
 * on one cluster slot, changed only by the {@code room-*.lua} scripts. Redis's own clock decides every
 * time (the opening, the grace, the admission pace), so all instances agree.
 */
@Component
class RoomState {

	private final ReactiveStringRedisTemplate redis;

	RoomState(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/** The keys of {@code roomId}'s queue, in the order the scripts take them. */
	static List<String> keys(long roomId) {
		String prefix = "room:{" + roomId + "}:";
		return List.of(prefix + "meta", prefix + "prequeue", prefix + "queue", prefix + "tickets", prefix + "users",
				prefix + "seen", prefix + "reported", prefix + "admitted");
	}

	/** The key remembering which request spent the admission of {@code ticketId}. */
	static String used(long roomId, long ticketId) {
		return "room:{" + roomId + "}:used:" + ticketId;
	}

	/**
	 * A ticket taken, or the caller's own one.
	 * @param position its place (1 = next), 0 while in the pre-queue or once admitted
	 * @param created false when the user already held it
	 */
	record Taken(long ticketId, long position, boolean created, boolean admitted) {
	}

	/** Takes {@code userId}'s ticket in {@code room} (room-ticket.lua). */
	Mono<Taken> take(Room room, long userId) {
		return this.redis.execute(LuaScripts.ROOM_TICKET, keys(room.id()),
				List.of(Long.toString(userId), Long.toString(room.opensAt().toEpochMilli()), seed()))
			.next()
			.map((reply) -> new Taken(number(reply, 0), number(reply, 1), number(reply, 2) == 1, number(reply, 3) == 1));
	}

	/**
	 * One admission step.
	 * @param admitted tickets admitted by this step
	 * @param waiting tickets in the queue
	 * @param prequeue tickets in the pre-queue
	 * @param dropped tickets dropped for want of a listener
	 * @param admissions admissions still alive
	 */
	record Step(long admitted, long waiting, long prequeue, long dropped, boolean started, long admissions) {
	}

	/** Runs {@code room}'s admission step (room-admit.lua). */
	Mono<Step> admit(Room room, Duration grace, Duration admissionTtl, int sweepLimit, Duration catchUp) {
		return this.redis.execute(LuaScripts.ROOM_ADMIT, keys(room.id()),
				List.of(Long.toString(room.opensAt().toEpochMilli()), Integer.toString(room.admissionsPerSecond()), seed(),
						Long.toString(grace.toMillis()), Long.toString(admissionTtl.toMillis()), Integer.toString(sweepLimit),
						Long.toString(catchUp.toMillis())))
			.next()
			.map((reply) -> new Step(number(reply, 0), number(reply, 1), number(reply, 2), number(reply, 3),
					number(reply, 4) == 1, number(reply, 5)));
	}

	/** Where a ticket stands. */
	sealed interface Standing {

		/** Waiting: {@code told} is the position to show (0 in the pre-queue), {@code actual} its true place. */
		record Waiting(long told, long actual) implements Standing {
		}

		/** Admitted at {@code atMillis} (epoch ms). */
		record Admitted(long atMillis) implements Standing {
		}

		/** Gone: dropped out, admission expired, room closed, or its state lost. */
		record Gone() implements Standing {
		}

	}

	/** Where each of {@code tickets} stands, in order; marks the waiting ones as heard of (room-poll.lua). */
	Mono<List<Standing>> poll(long roomId, List<Long> tickets) {
		List<String> args = new ArrayList<>(tickets.size());
		tickets.forEach((ticket) -> args.add(Long.toString(ticket)));
		return this.redis.execute(LuaScripts.ROOM_POLL, keys(roomId), args).next().map((reply) -> {
			List<Standing> standings = new ArrayList<>(tickets.size());
			for (int i = 0; i + 2 < reply.size(); i += 3) {
				long code = number(reply, i);
				standings.add((code == 1) ? new Standing.Waiting(number(reply, i + 1), number(reply, i + 2))
						: (code == 2) ? new Standing.Admitted(number(reply, i + 1)) : new Standing.Gone());
			}
			return standings;
		});
	}

	/** The user holding {@code ticketId}; empty when there is no such ticket. */
	Mono<Long> owner(long roomId, long ticketId) {
		return this.redis.<String, String>opsForHash().get(keys(roomId).get(3), Long.toString(ticketId)).map(Long::parseLong);
	}

	/** Tickets waiting and admissions so far. */
	Mono<long[]> counts(long roomId) {
		List<String> keys = keys(roomId);
		return Mono.zip(this.redis.opsForZSet().size(keys.get(2)), this.redis.opsForSet().size(keys.get(1)),
				this.redis.<String, String>opsForHash().get(keys.get(0), "admittedTotal").map(Long::parseLong).defaultIfEmpty(0L))
			.map((t) -> new long[] { t.getT1() + t.getT2(), t.getT3() });
	}

	/**
	 * Spends the admission of {@code ticketId} for the request {@code binding} (room-consume.lua).
	 * @return 1 first use, 2 a retry of the same request, 0 spent by another request
	 */
	Mono<Long> consume(long roomId, long ticketId, String binding, Duration remember) {
		return this.redis.execute(LuaScripts.ROOM_CONSUME, List.of(used(roomId, ticketId)),
				List.of(binding, Long.toString(Math.max(1, remember.toMillis())))).next();
	}

	/** Deletes the room's queue (its spent-token markers expire on their own). */
	Mono<Long> clear(long roomId) {
		return this.redis.delete(keys(roomId).toArray(String[]::new));
	}

	private static String seed() {
		return Integer.toString(ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE));
	}

	private static long number(List<?> reply, int index) {
		return ((Number) reply.get(index)).longValue();
	}

}
