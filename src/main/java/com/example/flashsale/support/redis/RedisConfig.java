package com.example.flashsale.support.redis;

import io.lettuce.core.ClientOptions;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis wiring for a crowd on one shared connection:
 * <ul>
 * <li>Lettuce connects lazily by default, and that first connect blocks whichever thread uses Redis
 * first (an event-loop thread under load). Connecting eagerly at startup moves it to the main thread.</li>
 * <li>Lettuce completes reactive commands on the connection's single I/O thread by default, so the
 * work that follows every reply (the group commit hand-off, JSON, the HTTP write) would queue behind
 * one thread while later replies wait and time out. {@code publishOnScheduler} hands replies to
 * Lettuce's computation threads instead.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class RedisConfig {

	@Bean
	LettuceClientConfigurationBuilderCustomizer publishRepliesOffTheIoThread() {
		return (builder) -> {
			ClientOptions current = builder.build().getClientOptions().orElseGet(ClientOptions::create);
			builder.clientOptions(current.mutate().publishOnScheduler(true).build());
		};
	}

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

}
