package com.example.flashsale.popular;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of popular products (docs/api.md "Popular products"). Ordered before the catalogue's routes,
 * whose {@code /api/products/{productId}} would take "popular" for an id.
 */
@Configuration(proxyBeanMethods = false)
class PopularRouter {

	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	RouterFunction<ServerResponse> popularRoutes(PopularHandler handler) {
		return route().GET("/api/products/popular", handler::top).build();
	}

}
