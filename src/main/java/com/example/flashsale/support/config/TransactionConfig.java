package com.example.flashsale.support.config;

import java.time.Duration;

import io.r2dbc.spi.Option;

import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The one {@link TransactionalOperator} services wrap their R2DBC work in, and the row-lock wait bound of
 * every database session.
 */
@Configuration(proxyBeanMethods = false)
class TransactionConfig {

	/**
	 * How long a statement waits for a row lock before failing ({@code innodb_lock_wait_timeout}, 50 s by
	 * default): a payment queued behind a hot product's row must fail well within the user lock's lease
	 * (5 s), not hold its connection and locks for most of a minute.
	 */
	static final Duration LOCK_WAIT_TIMEOUT = Duration.ofSeconds(3);

	@Bean
	TransactionalOperator transactionalOperator(ReactiveTransactionManager transactionManager) {
		return TransactionalOperator.create(transactionManager);
	}

	/** Sets {@link #LOCK_WAIT_TIMEOUT} on every connection r2dbc-mysql opens (its {@code lockWaitTimeout}). */
	@Bean
	ConnectionFactoryOptionsBuilderCustomizer lockWaitTimeout() {
		return (options) -> options.option(Option.valueOf("lockWaitTimeout"), LOCK_WAIT_TIMEOUT);
	}

}
