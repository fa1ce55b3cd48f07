package com.example.flashsale.user;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.RedisLock;

/**
 * The per-user lock that serialises a user's money movements (charges, orders; SPEC section 4, seed
 * 000): the Redis key {@code lock:user:{id}} (the id is the key's hash tag), held for at most
 * {@code app.user-lock.ttl}. A held lock is answered at once with the caller's own error, never waited
 * for.
 */
@Component
public class UserLock {

	private final RedisLock lock;

	private final Duration ttl;

	UserLock(RedisLock lock, Settings settings) {
		this.lock = lock;
		this.ttl = settings.ttl();
	}

	/** The Redis key of {@code userId}'s lock. */
	public static String key(long userId) {
		return "lock:user:{" + userId + "}";
	}

	/**
	 * Runs {@code work} holding {@code userId}'s lock, released however the work ends (value, error,
	 * cancellation).
	 * @param busy the error signalled, without running the work, when the lock is held
	 */
	public <T> Mono<T> withLock(long userId, Supplier<? extends Throwable> busy, Function<RedisLock.Lease, Mono<T>> work) {
		return this.lock.withLock(key(userId), this.ttl, busy, work);
	}

	/**
	 * {@code app.user-lock.*}.
	 * @param ttl the lease time: the longest a crashed holder blocks the user; far above a charge or
	 * payment transaction (milliseconds)
	 */
	@ConfigurationProperties("app.user-lock")
	record Settings(@DefaultValue("5s") Duration ttl) {
	}

}
