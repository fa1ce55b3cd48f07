package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * A lease on a Redis key, the per-user lock of docs/flows.md "Charge": taken with
 * {@code SET key <random token> NX PX <ttl>} ({@code redis/lock-acquire.lua}), released with a
 * compare-and-delete script
 * ({@code redis/lock-release.lua}), never a bare {@code DEL}, so a holder whose lease expired cannot
 * release the next owner's lock. Non-blocking: a held lock is reported at once, never waited for.
 *
 * <p>The TTL bounds how long a crashed holder blocks others; it does not fence a slow holder, so the
 * data the lock guards must keep its own invariants (conditional updates, row locks, unique keys).
 */
@Component
public class RedisLock {

	private static final Log logger = LogFactory.getLog(RedisLock.class);

	private static final RedisScript<Long> ACQUIRE = LuaScripts.LOCK_ACQUIRE;

	private static final RedisScript<Long> RELEASE = LuaScripts.COMPARE_AND_DELETE;

	private final ReactiveStringRedisTemplate redis;

	RedisLock(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Tries once to take {@code key} for {@code ttl}.
	 * @return the lease, or empty when another owner holds the key; a Redis failure is an error, after
	 * which a release of the token is still sent (a timed-out {@code SET} may have taken the key, and
	 * must not lock its user out for the whole TTL)
	 */
	public Mono<Lease> tryAcquire(String key, Duration ttl) {
		return Mono.defer(() -> {
			Lease lease = newLease(key);
			return this.redis.execute(ACQUIRE, List.of(key), List.of(lease.token(), Long.toString(ttl.toMillis())))
				.next()
				.filter((acquired) -> acquired == 1L)
				.map((acquired) -> lease)
				.doOnError((ex) -> release(lease).subscribe());
		});
	}

	/**
	 * Releases {@code lease} if the key still holds its token. Never signals an error: a failed release
	 * is logged and the key expires with its TTL.
	 * @return true when this call deleted the key
	 */
	public Mono<Boolean> release(Lease lease) {
		return this.redis.execute(RELEASE, List.of(lease.key()), List.of(lease.token()))
			.next()
			.map((deleted) -> deleted == 1L)
			.onErrorResume((ex) -> {
				logger.warn("Could not release lock " + lease.key() + "; it expires with its TTL: " + ex);
				return Mono.just(false);
			});
	}

	/**
	 * Runs {@code work} while holding {@code key}: acquires, runs, and releases when the work completes,
	 * fails or is cancelled.
	 * @param busy the error signalled, without running the work, when another owner holds the key
	 * @return the work's outcome; a Redis failure while acquiring is an error and the work does not run
	 */
	public <T> Mono<T> withLock(String key, Duration ttl, Supplier<? extends Throwable> busy,
			Function<Lease, Mono<T>> work) {
		return Mono.usingWhen(tryAcquire(key, ttl).switchIfEmpty(Mono.error(busy)), work, this::release,
				(lease, ex) -> release(lease), this::release);
	}

	/** A lease on {@code key} with a fresh random token, not taken yet (a script of the caller's takes it). */
	public Lease newLease(String key) {
		return new Lease(key, newToken());
	}

	private static String newToken() {
		// a lock token only has to differ from other holders' tokens; it is not a secret, so no SecureRandom
		// (which may read /dev/urandom, a blocking call on the event loop)
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
	}

	/**
	 * A held lock.
	 * @param key the Redis key
	 * @param token this owner's random token, the value stored at the key
	 */
	public record Lease(String key, String token) {
	}

}
