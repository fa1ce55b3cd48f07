package com.example.flashsale.balance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the balance feature (docs/api.md "Balance" and "Admin"); admin routes need the ADMIN role. */
@Configuration(proxyBeanMethods = false)
class BalanceRouter {

	@Bean
	RouterFunction<ServerResponse> balanceRoutes(BalanceHandler handler) {
		return route().path("/api", (api) -> api
			.GET("/balance", handler::balance)
			.POST("/balance/charge", handler::charge)
			.GET("/balance/transactions", handler::transactions)
			.POST("/admin/users", handler::createUser))
			.build();
	}

}
