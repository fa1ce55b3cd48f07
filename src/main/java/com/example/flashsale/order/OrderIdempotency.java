package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.balance.UserLock;
import com.example.flashsale.support.redis.LuaScripts;
import com.example.flashsale.support.redis.RedisLock;

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
 *
 * <p>The claim also takes the user's lock ({@link UserLock}, docs/flows.md "Charge") in the same Redis call,
 * and finishing or abandoning the claim releases it: one round trip each instead of two.
 */
@Component
class OrderIdempotency {

	private static final RedisScript<String> CLAIM = LuaScripts.IDEMPOTENCY_CLAIM;

	private static final RedisScript<Long> FINISH = LuaScripts.IDEMPOTENCY_FINISH;

	/** The lock's compare-and-delete: frees the key only while it still holds this request's record. */
	private static final RedisScript<Long> ABANDON = LuaScripts.COMPARE_AND_DELETE;

	private final ReactiveStringRedisTemplate redis;

	/** What {@code idempotency-claim.lua} answers when the user's lock is held by another owner. */
	private static final String LOCKED = "L";

	private final UserLock userLock;

	private final String inFlightMs;

	private final String ttlMs;

	private final String lockTtlMs;

	OrderIdempotency(ReactiveStringRedisTemplate redis, UserLock userLock, OrderProperties properties) {
		this.redis = redis;
		this.userLock = userLock;
		this.inFlightMs = Long.toString(properties.inFlightTtl().toMillis());
		this.ttlMs = Long.toString(properties.idempotencyTtl().toMillis());
		this.lockTtlMs = Long.toString(userLock.ttl().toMillis());
	}

	/** What {@link #claim} found. */
	sealed interface Claim permits Claimed, Running, Finished, Locked {

	}

	/**
	 * This request owns the key now, and its user's lock; it must {@link #finish} or {@link #abandon} it
	 * (either also releases the lock).
	 * @param record the running record this request stored (what finish and abandon compare against)
	 * @param lease the user's lock, taken with the claim
	 */
	record Claimed(String redisKey, String requestHash, String record, RedisLock.Lease lease) implements Claim {
	}

	/** Another request with this key is running. */
	record Running(String requestHash) implements Claim {
	}

	/** A request with this key finished with {@code outcome}. */
	record Finished(String requestHash, OrderOutcome outcome) implements Claim {
	}

	/** The key is free but another order or charge holds the user's lock: nothing was claimed. */
	record Locked() implements Claim {
	}

	/**
	 * Claims {@code idempotencyKey} for a request whose canonical hash is {@code requestHash} and takes
	 * {@code userId}'s lock, in one Redis call: the key's record and the lock share the user id as hash tag.
	 * A failed call may have claimed and locked (a lost reply): both are then freed, best effort, while the
	 * error is passed on.
	 */
	Mono<Claim> claim(long userId, String idempotencyKey, String requestHash) {
		return Mono.defer(() -> {
			String redisKey = OrderKeys.idempotency(userId, idempotencyKey);
			String running = Records.running(requestHash, Long.toHexString(ThreadLocalRandom.current().nextLong()));
			RedisLock.Lease lease = this.userLock.newLease(userId);
			return this.redis
				.execute(CLAIM, List.of(redisKey, lease.key()),
						List.of(running, this.inFlightMs, lease.token(), this.lockTtlMs))
				.next()
				.map((found) -> {
					if (found.isEmpty() || found.equals(running)) {
						return (Claim) new Claimed(redisKey, requestHash, running, lease);
					}
					return found.equals(LOCKED) ? new Locked() : Records.parse(found);
				})
				// sent without waiting for it, so a slow Redis does not delay the 503 by another timeout
				.doOnError((ex) -> abandon(new Claimed(redisKey, requestHash, running, lease))
					.subscribe(null, (abandonFailed) -> { }));
		});
	}

	/**
	 * Stores the claimed request's answer for replays and releases the user's lock, in one Redis call; a
	 * Redis failure is left to the database record (the lock is then released separately, best effort, or
	 * expires with its lease).
	 */
	Mono<Void> finish(Claimed claimed, OrderOutcome outcome) {
		String done = Records.finished(claimed.requestHash(), outcome);
		return this.redis
			.execute(FINISH, List.of(claimed.redisKey(), claimed.lease().key()),
					List.of(claimed.record(), done, this.ttlMs, claimed.lease().token()))
			.then()
			.onErrorResume((ex) -> this.userLock.release(claimed.lease()).then(Mono.error(ex)));
	}

	/** Frees the key for a retry, and the user's lock: the request ended without an answer worth replaying. */
	Mono<Void> abandon(Claimed claimed) {
		return this.redis.execute(ABANDON, List.of(claimed.redisKey()), List.of(claimed.record()))
			.then()
			.onErrorResume((ex) -> this.userLock.release(claimed.lease()).then(Mono.error(ex)))
			.then(this.userLock.release(claimed.lease()))
			.then();
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
