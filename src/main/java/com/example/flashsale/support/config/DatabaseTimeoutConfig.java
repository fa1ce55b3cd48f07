package com.example.flashsale.support.config;

import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.example.flashsale.support.db.BoundedConnectionFactory;

/**
 * Every database round trip has a bounded time ({@link DatabaseProperties}, docs/operations.md
 * "Timeouts"): the connection factory bean (the pool) is wrapped in a {@link BoundedConnectionFactory},
 * so each statement, begin, commit, rollback and validation of every feature, job and health check
 * fails after {@code app.db.timeout} without an answer; a new connection's TCP connect has the same
 * bound.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseTimeoutConfig {

	@Bean
	static BeanPostProcessor boundedDatabaseRoundTrips(ObjectProvider<DatabaseProperties> properties) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof ConnectionFactory factory && !(bean instanceof BoundedConnectionFactory)) {
					return new BoundedConnectionFactory(factory, properties.getObject().timeout());
				}
				return bean;
			}
		};
	}

	@Bean
	ConnectionFactoryOptionsBuilderCustomizer databaseConnectTimeout(DatabaseProperties properties) {
		return (options) -> options.option(ConnectionFactoryOptions.CONNECT_TIMEOUT, properties.timeout());
	}

}
