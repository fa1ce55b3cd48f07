package com.example.flashsale.support.redis;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.RedisProcess;
import com.example.flashsale.support.redis.RedisOwnership.ForeignData;
import com.example.flashsale.support.startup.StartupRefusedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/redis.md "One Redis, one database": the service claims the Redis it starts on for its database,
 * refuses (or, when told to, empties) a Redis that holds another database's keys. The context's own Redis
 * and, for the other database's case, a redis-server of the test's own.
 */
class RedisOwnershipTest extends IntegrationTest {

	static RedisProcess other;

	static LettuceConnectionFactory factory;

	static ReactiveStringRedisTemplate otherRedis;

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@BeforeAll
	static void startOtherRedis() {
		other = RedisProcess.start();
		factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", other.port()));
		factory.afterPropertiesSet();
		factory.start();
		otherRedis = new ReactiveStringRedisTemplate(factory);
	}

	@AfterAll
	static void stopOtherRedis() {
		factory.destroy();
		other.close();
	}

	@BeforeEach
	void emptyOtherRedis() {
		otherRedis.execute((connection) -> connection.serverCommands().flushDb()).blockLast(Duration.ofSeconds(5));
		otherRedis.opsForValue().set("coupon:{2}:state", "another database's event").block(Duration.ofSeconds(5));
	}

	@Test
	void theServicesRedisIsClaimedForItsDatabaseAtStartup() {
		assertThat(this.redis.opsForValue().get(RedisOwnership.KEY).block(Duration.ofSeconds(5))).isEqualTo(identity());
	}

	@Test
	void aRedisWithoutAnOwnerIsClaimedAndKeepsItsKeys() {
		new RedisOwnership(otherRedis, this.db, ForeignData.REFUSE).run();

		assertThat(otherRedis.opsForValue().get(RedisOwnership.KEY).block(Duration.ofSeconds(5))).isEqualTo(identity());
		assertThat(otherRedis.hasKey("coupon:{2}:state").block(Duration.ofSeconds(5))).isTrue();
	}

	@Test
	void aRedisOfAnotherDatabaseIsRefusedAndLeftAsItIs() {
		otherRedis.opsForValue().set(RedisOwnership.KEY, "another-database").block(Duration.ofSeconds(5));

		assertThatThrownBy(() -> new RedisOwnership(otherRedis, this.db, ForeignData.REFUSE).run())
			.isInstanceOf(StartupRefusedException.class)
			.hasMessageContaining("another-database")
			.hasMessageContaining(identity());
		assertThat(otherRedis.opsForValue().get(RedisOwnership.KEY).block(Duration.ofSeconds(5))).isEqualTo("another-database");
		assertThat(otherRedis.hasKey("coupon:{2}:state").block(Duration.ofSeconds(5))).isTrue();
	}

	@Test
	void toldToFlushItEmptiesARedisOfAnotherDatabaseAndClaimsIt() {
		otherRedis.opsForValue().set(RedisOwnership.KEY, "another-database").block(Duration.ofSeconds(5));

		new RedisOwnership(otherRedis, this.db, ForeignData.FLUSH).run();

		assertThat(otherRedis.opsForValue().get(RedisOwnership.KEY).block(Duration.ofSeconds(5))).isEqualTo(identity());
		assertThat(otherRedis.hasKey("coupon:{2}:state").block(Duration.ofSeconds(5))).isFalse();
	}

	@Test
	void aRedisThatDoesNotAnswerIsNotARefusal() {
		otherRedis.opsForValue().set(RedisOwnership.KEY, "another-database").block(Duration.ofSeconds(5));
		other.stop();
		try {
			new RedisOwnership(otherRedis, this.db, ForeignData.REFUSE).run();
		}
		finally {
			other.startAgain();
		}
	}

	private String identity() {
		return this.db.sql("SELECT id FROM database_identity").map((row) -> row.get("id", String.class)).one()
			.block(Duration.ofSeconds(5));
	}

}
