package com.example.flashsale.popular;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of popular products (docs/api.md "Popular products"). Ordered before the catalogue's routes,
 * whose {@code /api/products/{productId}} would take "popular" for an id. Its OpenAPI description:
 * {@link PopularApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
class PopularRouter {

	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	RouterFunction<ServerResponse> popularRoutes(PopularHandler handler, PopularProperties properties) {
		return route().GET("/api/products/popular", handler::top, new PopularApiDoc(properties)::top).build();
	}

}
