package com.example.flashsale.balance;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.RedisLock;

/**
 * The per-user lock that serialises a user's money movements (charges, orders; docs/flows.md "Charge"):
 * the Redis key {@link BalanceKeys#userLock} (the id is the key's hash tag), held for at most
 * {@code app.balance.user-lock-ttl}. A held lock is answered at once with the caller's own error, never waited
 * for.
 */
@Component
public class UserLock {

	private final RedisLock lock;

	private final Duration ttl;

	UserLock(RedisLock lock, BalanceProperties properties) {
		this.lock = lock;
		this.ttl = properties.userLockTtl();
	}

	/**
	 * Runs {@code work} holding {@code userId}'s lock, released however the work ends (value, error,
	 * cancellation).
	 * @param busy the error signalled, without running the work, when the lock is held
	 */
	public <T> Mono<T> withLock(long userId, Supplier<? extends Throwable> busy, Function<RedisLock.Lease, Mono<T>> work) {
		return this.lock.withLock(BalanceKeys.userLock(userId), this.ttl, busy, work);
	}

	/**
	 * A new lease on {@code userId}'s lock, not taken yet: for a caller that takes it inside a script of its
	 * own (the order's Idempotency-Key claim takes key and lock in one Redis call) and releases it the same
	 * way or with {@link #release}.
	 */
	public RedisLock.Lease newLease(long userId) {
		return this.lock.newLease(BalanceKeys.userLock(userId));
	}

	/** The lock's lease time ({@code app.balance.user-lock-ttl}). */
	public Duration ttl() {
		return this.ttl;
	}

	/**
	 * Releases {@code lease} if the lock still holds its token; never signals an error (the lock then
	 * expires with its lease).
	 */
	public Mono<Boolean> release(RedisLock.Lease lease) {
		return this.lock.release(lease);
	}

}
