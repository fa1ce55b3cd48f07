package com.example.flashsale.support.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.redis.spring.ReactiveRedisLockProvider;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Locks that let a job run on one instance at a time ({@link BackgroundJob}s such as recovery and popular
 * products). The
 * lock is ShedLock's, kept in Redis at {@code job-lock:flashsale:<job>} with a "lock at most for" lease,
 * so a crashed holder frees it by expiry. Why ShedLock: it is the well-kept library for exactly this, and
 * its Redis provider needs no extra table. Its lock calls block, so they run on the bounded-elastic
 * scheduler, never on an event loop; the job itself stays reactive.
 */
@Component
public class SingleRunJobs {

	private static final Log logger = LogFactory.getLog(SingleRunJobs.class);

	private final LockProvider locks;

	private final Clock clock;

	SingleRunJobs(ReactiveRedisConnectionFactory connections, Clock clock) {
		this.locks = new ReactiveRedisLockProvider.Builder(connections).keyPrefix("job-lock").environment("flashsale").build();
		this.clock = clock;
	}

	/**
	 * Runs {@code job} if no instance holds the lock {@code name}, holding it until the job ends (at most
	 * {@code lockAtMostFor}).
	 * @return the job's result; empty when another instance holds the lock (or the job gave nothing)
	 */
	public <T> Mono<T> runAlone(String name, Duration lockAtMostFor, Supplier<Mono<T>> job) {
		return Mono.fromCallable(() -> this.locks.lock(new LockConfiguration(this.clock.instant(), name, lockAtMostFor, Duration.ZERO)))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((lock) -> lock.isEmpty() ? Mono.<T>empty()
					// the result is signalled once the lock is free again
					: Mono.usingWhen(Mono.just(lock.get()), (held) -> Mono.defer(job), (held) -> unlock(name, held),
							(held, ex) -> unlock(name, held), (held) -> unlock(name, held)));
	}

	private Mono<Void> unlock(String name, SimpleLock lock) {
		return Mono.fromRunnable(lock::unlock)
			.subscribeOn(Schedulers.boundedElastic())
			.onErrorResume((ex) -> {
				logger.warn("Could not unlock job " + name + "; it frees itself when its lease ends: " + ex);
				return Mono.empty();
			})
			.then();
	}

}
