package com.example.flashsale.support.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.RedisFaultProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link ReadThroughCache} against the real Redis: one load per cold key across instances, no stale
 * value stored after an eviction, absent values cached, and degraded reads when Redis is cut.
 */
class ReadThroughCacheTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.support.cache.ReadThroughCache",
			"io.lettuce.core.protocol.ConnectionWatchdog");

	@Autowired
	ReadThroughCaches caches;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	RedisFaultProxy redisProxy;

	@Autowired
	MeterRegistry meters;

	private final String key = "test:cache:" + System.nanoTime();

	@Test
	void aBurstOnAColdKeyAcrossTwoInstancesLoadsOnce() {
		// two caches with their own in-JVM single flight: two service instances sharing one Redis
		ReadThroughCache<Box> first = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		ReadThroughCache<Box> second = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		AtomicInteger loads = new AtomicInteger();
		Mono<Box> slowLoader = Mono.fromSupplier(() -> new Box("v" + loads.incrementAndGet()))
			.delayElement(Duration.ofMillis(200));

		List<Box> values = Flux.range(0, 400)
			.flatMap((i) -> ((i % 2 == 0) ? first : second).get(this.key, () -> slowLoader), 400)
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(loads).hasValue(1);
		assertThat(values).hasSize(400).containsOnly(new Box("v1"));
		assertThat(this.redis.opsForValue().get(this.key).block()).isEqualTo("{\"value\":\"v1\"}");
	}

	@Test
	void aReadBetweenAnUncommittedChangeAndItsCommitCachesNothing() {
		ReadThroughCache<Box> cache = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		AtomicReference<String> committed = new AtomicReference<>("old");
		Supplier<Mono<Box>> database = () -> Mono.fromSupplier(() -> new Box(committed.get()));
		assertThat(cache.get(this.key, database).block()).isEqualTo(new Box("old"));

		// the admin transaction changes the row and evicts inside the transaction, before its commit
		cache.hold(this.key).block();
		// a read in between still sees the committed row
		assertThat(cache.get(this.key, database).block()).isEqualTo(new Box("old"));
		committed.set("new");
		// the eviction after the commit failed: the old value must not have been cached

		assertThat(cache.get(this.key, database).block()).isEqualTo(new Box("new"));
	}

	@Test
	void evictionsOfOneKeyGoTogetherAndNoneLeavesAStaleValue() {
		ReadThroughCache<Box> cache = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		AtomicLong committed = new AtomicLong();
		// a load reads the row, then takes a moment before it stores: the window in which a change can race it
		Supplier<Mono<Box>> database = () -> Mono.fromSupplier(committed::get)
			.delayElement(Duration.ofMillis(1))
			.map((row) -> new Box(Long.toString(row)));
		int writers = 1_500;
		AtomicInteger stale = new AtomicInteger();
		// two readers per writer keep caching what they read; a writer commits, evicts together, then reads
		Flux.range(0, 3 * writers).flatMap((i) -> {
			if (i % 3 != 0) {
				return cache.get(this.key, database).then();
			}
			return Mono.defer(() -> {
				long mine = committed.incrementAndGet();
				return cache.evictTogether(this.key)
					.then(cache.get(this.key, database))
					.doOnNext((seen) -> {
						if (Long.parseLong(seen.value()) < mine) {
							stale.incrementAndGet();
						}
					})
					.then();
			});
		}, 256).blockLast(Duration.ofSeconds(60));

		assertThat(stale).as("writers that read a value older than their own change after their eviction").hasValue(0);
		// every eviction bumps the version once: fewer evictions than writers means they went together
		long evictions = Long.parseLong(this.redis.opsForValue().get("{" + this.key + "}:version").block());
		assertThat(evictions).isPositive().isLessThan(writers);
	}

	@Test
	void aLoadThatRacedAnEvictionIsServedButNotStored() {
		ReadThroughCache<Box> cache = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		AtomicReference<String> database = new AtomicReference<>("old");
		Sinks.Empty<Void> loaded = Sinks.empty();
		Sinks.Empty<Void> changed = Sinks.empty();
		// the load reads the database, then the row changes and is evicted before the load stores
		Mono<Box> racingLoader = Mono.defer(() -> {
			Box read = new Box(database.get());
			loaded.tryEmitEmpty();
			return changed.asMono().thenReturn(read);
		});
		Mono<Box> racing = cache.get(this.key, () -> racingLoader).cache();
		racing.subscribe();
		loaded.asMono().block(Duration.ofSeconds(10));
		database.set("new");
		cache.evict(this.key).block();
		changed.tryEmitEmpty();

		StepVerifier.create(racing).expectNext(new Box("old")).verifyComplete();
		assertThat(this.redis.opsForValue().get(this.key).block()).isNull();
		StepVerifier.create(cache.get(this.key, () -> Mono.fromSupplier(() -> new Box(database.get()))))
			.expectNext(new Box("new"))
			.verifyComplete();
		assertThat(this.redis.opsForValue().get(this.key).block()).isEqualTo("{\"value\":\"new\"}");
	}

	@Test
	void anAbsentValueIsCachedForItsOwnTtl() {
		ReadThroughCache<Box> cache = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ofSeconds(30));
		AtomicInteger loads = new AtomicInteger();
		Mono<Box> nothing = Mono.fromRunnable(loads::incrementAndGet);

		StepVerifier.create(cache.get(this.key, () -> nothing)).verifyComplete();
		StepVerifier.create(cache.get(this.key, () -> nothing)).verifyComplete();

		assertThat(loads).hasValue(1);
		assertThat(this.redis.opsForValue().get(this.key).block()).isEqualTo("null");
		assertThat(this.redis.getExpire(this.key).block()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void loaderErrorsArePassedOnAndNotCached() {
		ReadThroughCache<Box> cache = this.caches.create("test", Box.class, Duration.ofMinutes(1), Duration.ofMinutes(1));
		StepVerifier.create(cache.get(this.key, () -> Mono.error(new IllegalStateException("database down"))))
			.expectErrorMessage("database down")
			.verify(Duration.ofSeconds(10));
		StepVerifier.create(cache.get(this.key, () -> Mono.just(new Box("back")))).expectNext(new Box("back")).verifyComplete();
	}

	@Test
	void withoutRedisValuesComeFromTheLoader() {
		// the fault proxy stands between the service and a single Redis only (TestInfrastructure)
		assumeTrue(this.redisProxy.inUse(), "on a Redis Cluster the service does not go through the fault proxy");
		ReadThroughCache<Box> cache = this.caches.create("test-outage", Box.class, Duration.ofMinutes(1), Duration.ZERO);
		double failuresBefore = this.meters.counter("flashsale.cache.redis.failures", "cache", "test-outage").count();
		this.redisProxy.cut();
		try {
			StepVerifier.create(cache.get(this.key, () -> Mono.just(new Box("from the database"))))
				.expectNext(new Box("from the database"))
				.verifyComplete();
		}
		finally {
			this.redisProxy.restore();
		}
		assertThat(this.meters.counter("flashsale.cache.redis.failures", "cache", "test-outage").count())
			.isGreaterThan(failuresBefore);
		// Redis is back (the client reconnects within a second): reads store again
		// (a read while the client is still reconnecting fails: asked again, not a failure of the test)
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
			cache.get(this.key, () -> Mono.just(new Box("stored"))).block();
			return this.redis.opsForValue().get(this.key).blockOptional().isPresent();
		});
	}

	/** A cached value. */
	record Box(String value) {
	}

}
