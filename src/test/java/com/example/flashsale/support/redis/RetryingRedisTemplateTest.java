package com.example.flashsale.support.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

import com.example.flashsale.RedisProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/operations.md "Redis Cluster": a command the client refused unsent, because Redis was away, or one cut
 * off by a crash while out, is sent again until Redis is back within the wait; a command that was sent and
 * timed out is never sent again.
 * Against a redis-server of the test's own, with the client options the service uses (commands refused
 * while disconnected, 1 s command timeout).
 */
class RetryingRedisTemplateTest {

	/** Counts its runs: a command sent twice shows as 2. */
	private static final RedisScript<Long> COUNT = RedisScript.of("return redis.call('INCR', KEYS[1])", Long.class);

	static RedisProcess redis;

	static ClientResources resources;

	static LettuceConnectionFactory factory;

	@BeforeAll
	static void connect() {
		redis = RedisProcess.start();
		resources = ClientResources.builder().reconnectDelay(Delay.constant(Duration.ofMillis(20))).build();
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(resources)
			.clientOptions(ClientOptions.builder()
				.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
				.timeoutOptions(TimeoutOptions.builder().fixedTimeout(Duration.ofSeconds(1)).build())
				.build())
			.build();
		factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()), client);
		factory.setEagerInitialization(true);
		factory.afterPropertiesSet();
		factory.start();
	}

	@AfterAll
	static void disconnect() {
		factory.destroy();
		resources.shutdown();
		redis.close();
	}

	@AfterEach
	void redisRuns() {
		redis.resume();
		if (!redis.isRunning()) {
			redis.startAgain();
		}
	}

	/**
	 * A reply goes on off the connection's I/O thread: work after it there would hold back every other
	 * command's reply (docs/adr/0025-waiting-room-paced-in-redis.md), with or without a failover wait.
	 */
	@Test
	void repliesOfCommandsAndScriptsAreDeliveredOnTheParallelScheduler() {
		for (Duration wait : List.of(Duration.ZERO, Duration.ofSeconds(1))) {
			RetryingRedisTemplate template = new RetryingRedisTemplate(factory, wait);
			String set = template.opsForValue().set("thread", "x").map((ok) -> Thread.currentThread().getName())
				.block(Duration.ofSeconds(5));
			String get = template.opsForValue().get("thread").map((value) -> Thread.currentThread().getName())
				.block(Duration.ofSeconds(5));
			String script = template.execute(COUNT, List.of("thread-runs"), List.of()).next()
				.map((count) -> Thread.currentThread().getName())
				.block(Duration.ofSeconds(5));
			assertThat(List.of(set, get, script)).as("wait " + wait).allSatisfy((thread) -> assertThat(thread).startsWith("parallel-"));
		}
	}

	/**
	 * A long reply whose caller takes one element and asks for no more must not hold up the connection:
	 * Lettuce stops reading a connection while a command's subscriber has no demand, so the hop asks for every
	 * reply at once. With Reactor's default prefetch (256) the next command on the connection timed out.
	 */
	@Test
	void aLongReplyConsumedSlowlyDoesNotHoldUpTheNextCommand() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ZERO);
		List<String> values = IntStream.range(0, 5_000).mapToObj((i) -> "value-" + i).toList();
		template.opsForList().rightPushAll("long-reply", values).block(Duration.ofSeconds(5));
		AtomicInteger received = new AtomicInteger();
		BaseSubscriber<String> slow = new BaseSubscriber<>() {
			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				subscription.request(1);
			}

			@Override
			protected void hookOnNext(String value) {
				received.incrementAndGet();
			}
		};
		try {
			template.opsForList().range("long-reply", 0, -1).subscribe(slow);
			assertThat(template.opsForValue().set("after-long-reply", "x").block(Duration.ofSeconds(5))).isTrue();
			assertThat(received).hasValue(1);
		}
		finally {
			slow.dispose();
			template.delete("long-reply", "after-long-reply").block(Duration.ofSeconds(5));
		}
	}

	@Test
	void aCommandRefusedWhileRedisIsAwayIsSentAgainOnceRedisIsBack() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ofSeconds(5));
		redisAwayAndSeen();

		Mono<Long> counted = template.execute(COUNT, List.of("runs"), List.of()).next()
			.subscribeOn(Schedulers.boundedElastic());
		Mono<Boolean> written = template.opsForValue().set("written", "yes").subscribeOn(Schedulers.boundedElastic());
		Mono<Boolean> both = Mono.zip(counted, written, (count, set) -> count == 1L && set).cache();
		both.subscribe((ok) -> { }, (ex) -> { });
		sleep(Duration.ofMillis(500));
		redis.startAgain();

		assertThat(both.block(Duration.ofSeconds(10))).isTrue();
		assertThat(template.opsForValue().get("runs").block(Duration.ofSeconds(5))).isEqualTo("1");
		assertThat(template.opsForValue().get("written").block(Duration.ofSeconds(5))).isEqualTo("yes");
	}

	@Test
	void aCommandOutWhenRedisCrashesIsSentAgainToTheRedisThatComesBack() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ofSeconds(5));
		template.execute(COUNT, List.of("warm"), List.of()).blockLast(Duration.ofSeconds(5));
		redis.freeze();
		Mono<Long> counted = template.execute(COUNT, List.of("cut"), List.of()).next().cache();
		counted.subscribe((count) -> { }, (ex) -> { });
		sleep(Duration.ofMillis(200));
		redis.crash();
		sleep(Duration.ofMillis(300));
		redis.startAgain();

		// the restarted Redis is empty: the count is the resent script's own run
		assertThat(counted.block(Duration.ofSeconds(10))).isEqualTo(1L);
		assertThat(template.opsForValue().get("cut").block(Duration.ofSeconds(5))).isEqualTo("1");
	}

	@Test
	void withoutAWaitACommandRefusedWhileRedisIsAwayFailsAtOnce() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ZERO);
		redisAwayAndSeen();

		assertThatThrownBy(() -> template.execute(COUNT, List.of("runs"), List.of()).next().block(Duration.ofMillis(500)))
			.satisfies((ex) -> assertThat(RetryingRedisTemplate.unsent(ex)).as(ex.toString()).isTrue());
	}

	@Test
	void pastTheWaitTheRefusalGoesUp() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ofMillis(300));
		redisAwayAndSeen();

		assertThatThrownBy(() -> template.opsForValue().get("runs").block(Duration.ofSeconds(5)))
			.satisfies((ex) -> assertThat(RetryingRedisTemplate.unsent(ex)).as(ex.toString()).isTrue());
	}

	@Test
	void aCommandThatWasSentAndTimedOutIsNotSentAgain() {
		RetryingRedisTemplate template = new RetryingRedisTemplate(factory, Duration.ofSeconds(5));
		template.delete("sent").block(Duration.ofSeconds(5));
		// the script is cached first: otherwise the frozen Redis would answer its EVALSHA with NOSCRIPT, not run it
		template.execute(COUNT, List.of("warm"), List.of()).blockLast(Duration.ofSeconds(5));
		redis.freeze();
		try {
			assertThatThrownBy(() -> template.execute(COUNT, List.of("sent"), List.of()).next().block(Duration.ofSeconds(5)))
				.satisfies((ex) -> assertThat(RetryingRedisTemplate.connectionLost(ex)).as(ex.toString()).isFalse());
		}
		finally {
			redis.resume();
		}
		// the frozen Redis ran what it had been sent once it resumed: once, not once per retry
		sleep(Duration.ofMillis(300));
		assertThat(template.opsForValue().get("sent").block(Duration.ofSeconds(5))).isEqualTo("1");
	}

	@Test
	void onlyALostConnectionCountsNotATimeoutOrARedisError() {
		assertThat(RetryingRedisTemplate.connectionLost(new RedisSystemException("Redis exception",
				new RedisException("Connection disconnected")))).isTrue();
		assertThat(RetryingRedisTemplate.connectionLost(new RedisSystemException("Redis exception",
				new RedisException(new IOException("Broken pipe"))))).isTrue();
		assertThat(RetryingRedisTemplate.connectionLost(new RedisException("Currently not connected. Commands are rejected.")))
			.isTrue();
		assertThat(RetryingRedisTemplate.connectionLost(new QueryTimeoutException("Redis command timed out",
				new RedisCommandTimeoutException("Command timed out after 1 second(s)")))).isFalse();
		assertThat(RetryingRedisTemplate.connectionLost(new RedisSystemException("Error in execution",
				new RedisException("ERR Error running script")))).isFalse();
	}

	/** Stops Redis and waits until the client has seen its connection go (commands are refused unsent). */
	private static void redisAwayAndSeen() {
		redis.stop();
		RetryingRedisTemplate plain = new RetryingRedisTemplate(factory, Duration.ZERO);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			try {
				plain.hasKey("probe").block(Duration.ofSeconds(2));
			}
			catch (RuntimeException ex) {
				if (RetryingRedisTemplate.unsent(ex)) {
					return;
				}
			}
			sleep(Duration.ofMillis(20));
		}
		throw new IllegalStateException("the client did not see Redis go");
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
