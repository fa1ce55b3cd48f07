package com.example.flashsale.outbox;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of the operators' outbox view (docs/api.md "Outbox (admin)"); ADMIN role (SecurityConfig). Each
 * route names its OpenAPI description in {@link OutboxApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
class OutboxRouter {

	@Bean
	RouterFunction<ServerResponse> outboxRoutes(OutboxHandler handler) {
		return route()
			.GET("/api/admin/outbox/events", handler::list, OutboxApiDoc::list)
			.POST("/api/admin/outbox/events/{id}/retry", handler::retry, OutboxApiDoc::retry)
			.build();
	}

}
