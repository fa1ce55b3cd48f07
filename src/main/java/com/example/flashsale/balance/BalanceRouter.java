package com.example.flashsale.balance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of the balance feature (docs/api.md "Balance" and "Admin"); admin routes need the ADMIN role. Each
 * route names its OpenAPI description in {@link BalanceApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
class BalanceRouter {

	@Bean
	RouterFunction<ServerResponse> balanceRoutes(BalanceHandler handler, BalanceProperties properties) {
		BalanceApiDoc doc = new BalanceApiDoc(properties);
		return route()
			.GET("/api/balance", handler::balance, doc::balance)
			.POST("/api/balance/charge", handler::charge, doc::charge)
			.GET("/api/balance/transactions", handler::transactions, doc::transactions)
			.POST("/api/admin/users", handler::createUser, doc::createUser)
			.build();
	}

}
