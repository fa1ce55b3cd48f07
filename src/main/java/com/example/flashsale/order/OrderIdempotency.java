package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.LuaScripts;

/**
 * The Redis side of {@code Idempotency-Key} (docs/api.md "Orders"; docs/redis.md), scoped per user: the
 * record at {@link OrderKeys#idempotency} is either "running" (a lease of
 * {@code app.orders.in-flight-ttl}, so a crashed request frees its key) or the finished answer (kept
 * {@code app.orders.idempotency-ttl}, 24 h by default). Both carry the SHA-256 of the canonical request,
 * so the same key with another body is told apart. The database's unique key (user_id,
 * idempotency_key) backs this record: it decides when Redis has lost it.
 *
 * <p>Record encoding ({@link Records}, the one place that writes and reads it): {@code R|<hash>|<token>} or
 * {@code D|<hash>|<status>|<body>}.
 */
@Component
class OrderIdempotency {

	private static final RedisScript<String> CLAIM = LuaScripts.IDEMPOTENCY_CLAIM;

	private static final RedisScript<Long> FINISH = LuaScripts.IDEMPOTENCY_FINISH;

	/** The lock's compare-and-delete: frees the key only while it still holds this request's record. */
	private static final RedisScript<Long> ABANDON = LuaScripts.COMPARE_AND_DELETE;

	private final ReactiveStringRedisTemplate redis;

	private final Duration inFlightTtl;

	private final Duration ttl;

	OrderIdempotency(ReactiveStringRedisTemplate redis, OrderProperties properties) {
		this.redis = redis;
		this.inFlightTtl = properties.inFlightTtl();
		this.ttl = properties.idempotencyTtl();
	}

	/** What {@link #claim} found. */
	sealed interface Claim permits Claimed, Running, Finished {

	}

	/**
	 * This request owns the key now; it must {@link #finish} or {@link #abandon} it.
	 * @param record the running record this request stored (what finish and abandon compare against)
	 */
	record Claimed(String redisKey, String requestHash, String record) implements Claim {
	}

	/** Another request with this key is running. */
	record Running(String requestHash) implements Claim {
	}

	/** A request with this key finished with {@code outcome}. */
	record Finished(String requestHash, OrderOutcome outcome) implements Claim {
	}

	/** Claims {@code idempotencyKey} for a request whose canonical hash is {@code requestHash}. */
	Mono<Claim> claim(long userId, String idempotencyKey, String requestHash) {
		String redisKey = OrderKeys.idempotency(userId, idempotencyKey);
		String running = Records.running(requestHash, Long.toHexString(ThreadLocalRandom.current().nextLong()));
		return this.redis.execute(CLAIM, List.of(redisKey), List.of(running, Long.toString(this.inFlightTtl.toMillis())))
			.next()
			.map((found) -> (found.isEmpty() || found.equals(running)) ? new Claimed(redisKey, requestHash, running)
					: Records.parse(found));
	}

	/** Stores the claimed request's answer for replays; a Redis failure is left to the database record. */
	Mono<Void> finish(Claimed claimed, OrderOutcome outcome) {
		String done = Records.finished(claimed.requestHash(), outcome);
		return this.redis
			.execute(FINISH, List.of(claimed.redisKey()), List.of(claimed.record(), done, Long.toString(this.ttl.toMillis())))
			.then();
	}

	/** Frees the key for a retry: the request ended without an answer worth replaying. */
	Mono<Void> abandon(Claimed claimed) {
		return this.redis.execute(ABANDON, List.of(claimed.redisKey()), List.of(claimed.record())).then();
	}

	/** The record encoding, written and read here only. */
	static final class Records {

		private Records() {
		}

		/** {@code R|<hash>|<token>}: a request with this hash is running; the token tells its owner. */
		static String running(String requestHash, String token) {
			return "R|" + requestHash + "|" + token;
		}

		/** {@code D|<hash>|<status>|<body>}: the request with this hash finished with this answer. */
		static String finished(String requestHash, OrderOutcome outcome) {
			return "D|" + requestHash + "|" + outcome.status() + "|" + new String(outcome.body(), StandardCharsets.UTF_8);
		}

		/** The claim a stored record means. */
		static Claim parse(String record) {
			if (record.startsWith("R|")) {
				return new Running(record.split("\\|", 3)[1]);
			}
			String[] parts = record.split("\\|", 4);
			return new Finished(parts[1],
					new OrderOutcome(Integer.parseInt(parts[2]), parts[3].getBytes(StandardCharsets.UTF_8)));
		}

	}

}
