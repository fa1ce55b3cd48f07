package com.example.flashsale.outbox;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the operators' outbox view (docs/api.md "Outbox (admin)"); ADMIN role (SecurityConfig). */
@Configuration(proxyBeanMethods = false)
class OutboxRouter {

	@Bean
	RouterFunction<ServerResponse> outboxRoutes(OutboxHandler handler) {
		return route().path("/api/admin/outbox/events", (events) -> events
			.GET("", handler::list)
			.POST("/{id}/retry", handler::retry))
			.build();
	}

}
