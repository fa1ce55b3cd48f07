package com.example.flashsale.support.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/** The one {@link TransactionalOperator} services wrap their R2DBC work in. */
@Configuration(proxyBeanMethods = false)
class TransactionConfig {

	@Bean
	TransactionalOperator transactionalOperator(ReactiveTransactionManager transactionManager) {
		return TransactionalOperator.create(transactionManager);
	}

}
