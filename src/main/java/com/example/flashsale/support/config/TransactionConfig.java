package com.example.flashsale.support.config;

import java.time.Duration;

import io.r2dbc.spi.Option;

import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The {@link TransactionalOperator}s services wrap their R2DBC work in (the default one, and READ
 * COMMITTED for background jobs), and the row-lock wait bound of every database session.
 */
@Configuration(proxyBeanMethods = false)
public class TransactionConfig {

	/**
	 * How long a statement waits for a row lock before failing ({@code innodb_lock_wait_timeout}, 50 s by
	 * default): a payment queued behind a hot product's row must fail well within the user lock's lease
	 * (5 s), not hold its connection and locks for most of a minute.
	 */
	static final Duration LOCK_WAIT_TIMEOUT = Duration.ofSeconds(3);

	/** The name of the READ COMMITTED {@link TransactionalOperator} (inject it with this qualifier). */
	public static final String READ_COMMITTED = "readCommittedTransactions";

	@Bean
	@Primary
	TransactionalOperator transactionalOperator(ReactiveTransactionManager transactionManager) {
		return TransactionalOperator.create(transactionManager);
	}

	/**
	 * Transactions at READ COMMITTED, for the background jobs that scan a range of rows the order path
	 * writes into (the outbox claim with {@code FOR UPDATE SKIP LOCKED}, the recovery, the sales
	 * aggregation's {@code INSERT ... SELECT}): at the default REPEATABLE READ, InnoDB would take gap
	 * (next-key) locks on those ranges, blocking the inserts of concurrent payments and deadlocking with
	 * them. At READ COMMITTED only the rows themselves are locked.
	 */
	@Bean(READ_COMMITTED)
	TransactionalOperator readCommittedTransactions(ReactiveTransactionManager transactionManager) {
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
		definition.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
		return TransactionalOperator.create(transactionManager, definition);
	}

	/** Sets {@link #LOCK_WAIT_TIMEOUT} on every connection r2dbc-mysql opens (its {@code lockWaitTimeout}). */
	@Bean
	ConnectionFactoryOptionsBuilderCustomizer lockWaitTimeout() {
		return (options) -> options.option(Option.valueOf("lockWaitTimeout"), LOCK_WAIT_TIMEOUT);
	}

}
