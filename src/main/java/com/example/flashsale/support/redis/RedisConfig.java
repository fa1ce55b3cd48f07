package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.Delay;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis wiring that keeps the event loop free of blocking calls: Lettuce connects lazily by default,
 * and that first connect blocks whichever thread uses Redis first (an event-loop thread under load).
 * Connecting eagerly at startup moves it to the main thread.
 *
 * <p>Lettuce's {@code publishOnScheduler} is deliberately left off: with it, a command timeout racing
 * a reply can terminate one of Lettuce's executors and leave every later command on it hanging
 * (lettuce issue 1576; seen here as a 30 s hang after the 2,000-user race). Hot paths move their
 * continuation off the Redis I/O thread with Reactor's {@code publishOn} instead.
 *
 * <p>After a lost connection Lettuce reconnects with an exponential backoff that grows to 30 s by
 * default; capped at 1 s here, so the service is back within a second of Redis.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfig {

	@Bean
	static BeanPostProcessor eagerLettuceConnection() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof LettuceConnectionFactory factory) {
					factory.setEagerInitialization(true);
				}
				return bean;
			}
		};
	}

	@Bean
	ClientResourcesBuilderCustomizer fastRedisReconnect() {
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
	}

}
