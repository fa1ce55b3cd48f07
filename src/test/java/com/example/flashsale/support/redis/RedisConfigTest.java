package com.example.flashsale.support.redis;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis client connects at startup, so no event-loop thread ever performs the first connect. */
class RedisConfigTest extends IntegrationTest {

	@Autowired
	LettuceConnectionFactory connectionFactory;

	@Test
	void theSharedConnectionIsOpenedEagerly() {
		assertThat(this.connectionFactory.getEagerInitialization()).isTrue();
		assertThat(this.connectionFactory.isRunning()).isTrue();
	}

}
