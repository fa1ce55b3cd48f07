package com.example.flashsale.support.redis;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis wiring that keeps the event loop free of blocking calls: Lettuce connects lazily by default,
 * and that first connect blocks whichever thread uses Redis first (an event-loop thread under load).
 * Connecting eagerly at startup moves it to the main thread.
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

}
