package com.example.flashsale.order;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of orders (docs/api.md "Orders"): the caller's own orders only; the operators' sales view of a
 * product needs the ADMIN role (SecurityConfig).
 */
@Configuration(proxyBeanMethods = false)
class OrderRouter {

	@Bean
	RouterFunction<ServerResponse> orderRoutes(OrderHandler handler) {
		return route().path("/api", (api) -> api
			.POST("/orders", handler::place)
			.GET("/orders/{orderId}", handler::find)
			.GET("/orders/{orderId}/events", handler::events)
			.POST("/orders/{orderId}/stream-token", handler::streamToken)
			.GET("/admin/products/{productId}/sales", handler::sales))
			.build();
	}

}
