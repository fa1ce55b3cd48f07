package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link RedisLock} against the real Redis: exclusive, owner-only release, released in every outcome. */
class RedisLockTest extends IntegrationTest {

	@Autowired
	RedisLock lock;

	@Autowired
	ReactiveStringRedisTemplate redis;

	private final String key = "lock:test:{" + System.nanoTime() + "}";

	@Test
	void aHeldKeyCannotBeTakenUntilItsOwnerReleasesIt() {
		RedisLock.Lease lease = this.lock.tryAcquire(this.key, Duration.ofSeconds(10)).block();
		assertThat(lease).isNotNull();
		StepVerifier.create(this.lock.tryAcquire(this.key, Duration.ofSeconds(10))).verifyComplete();
		assertThat(this.redis.getExpire(this.key).block()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));

		StepVerifier.create(this.lock.release(lease)).expectNext(true).verifyComplete();
		StepVerifier.create(this.lock.tryAcquire(this.key, Duration.ofSeconds(10))).expectNextCount(1).verifyComplete();
	}

	@Test
	void aHolderWhoseLeaseExpiredCannotReleaseTheNextOwnersLock() throws InterruptedException {
		RedisLock.Lease expired = this.lock.tryAcquire(this.key, Duration.ofMillis(100)).block();
		Thread.sleep(250);
		RedisLock.Lease next = this.lock.tryAcquire(this.key, Duration.ofSeconds(10)).block();
		assertThat(next).isNotNull();

		StepVerifier.create(this.lock.release(expired)).expectNext(false).verifyComplete();
		assertThat(this.redis.opsForValue().get(this.key).block()).isEqualTo(next.token());
	}

	@Test
	void withLockReleasesAfterAValue() {
		StepVerifier.create(this.lock.withLock(this.key, Duration.ofSeconds(10), IllegalStateException::new,
				(lease) -> this.redis.opsForValue().get(this.key)))
			.assertNext((held) -> assertThat(held).isNotNull())
			.verifyComplete();
		assertThat(this.redis.hasKey(this.key).block()).isFalse();
	}

	@Test
	void withLockReleasesAfterAnError() {
		StepVerifier.create(this.lock.withLock(this.key, Duration.ofSeconds(10), IllegalStateException::new,
				(lease) -> Mono.error(new IllegalArgumentException("work failed"))))
			.expectErrorMessage("work failed")
			.verify();
		assertThat(this.redis.hasKey(this.key).block()).isFalse();
	}

	@Test
	void withLockReleasesOnCancellation() {
		AtomicBoolean started = new AtomicBoolean();
		Disposable running = this.lock.withLock(this.key, Duration.ofSeconds(30), IllegalStateException::new,
				(lease) -> Mono.never().doOnSubscribe((s) -> started.set(true)))
			.subscribe();
		await().atMost(Duration.ofSeconds(5)).untilTrue(started);
		assertThat(this.redis.hasKey(this.key).block()).isTrue();

		running.dispose();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.redis.hasKey(this.key).block());
	}

	@Test
	void aResentAcquireFindingItsOwnTokenAnswersAcquired() {
		// a Lettuce re-send: the first run took the key, its reply was lost, the same command runs again
		List<String> args = List.of("token-of-this-request", "10000");
		assertThat(this.redis.execute(LuaScripts.LOCK_ACQUIRE, List.of(this.key), args).next().block()).isEqualTo(1L);
		assertThat(this.redis.execute(LuaScripts.LOCK_ACQUIRE, List.of(this.key), args).next().block()).isEqualTo(1L);
		// another owner still finds it held
		assertThat(this.redis.execute(LuaScripts.LOCK_ACQUIRE, List.of(this.key), List.of("another-token", "10000"))
			.next().block()).isEqualTo(0L);
	}

	@Test
	void aHeldKeySignalsTheBusyErrorWithoutRunningTheWork() {
		this.lock.tryAcquire(this.key, Duration.ofSeconds(10)).block();
		AtomicBoolean ran = new AtomicBoolean();
		StepVerifier.create(this.lock.withLock(this.key, Duration.ofSeconds(10), () -> new IllegalStateException("busy"),
				(lease) -> Mono.fromRunnable(() -> ran.set(true))))
			.expectErrorMessage("busy")
			.verify();
		assertThat(ran).isFalse();
	}

}
