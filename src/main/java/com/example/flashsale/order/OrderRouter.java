package com.example.flashsale.order;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of orders (docs/api.md "Orders"): the caller's own orders only; the operators' sales view of a
 * product needs the ADMIN role (SecurityConfig). Each route names its OpenAPI description in {@link OrderApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
class OrderRouter {

	@Bean
	RouterFunction<ServerResponse> orderRoutes(OrderHandler handler, OrderProperties properties) {
		OrderApiDoc doc = new OrderApiDoc(properties);
		return route()
			.POST("/api/orders", handler::place, doc::place)
			.GET("/api/orders/{orderId}", handler::find, doc::find)
			.GET("/api/orders/{orderId}/events", handler::events, doc::events)
			.POST("/api/orders/{orderId}/stream-token", handler::streamToken, doc::streamToken)
			.GET("/api/admin/products/{productId}/sales", handler::sales, doc::sales)
			.build();
	}

}
