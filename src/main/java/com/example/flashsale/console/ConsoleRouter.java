package com.example.flashsale.console;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of the operator console (docs/operations.md "Operator console"): the page needs no token (it holds
 * no data); its stream needs the ADMIN role (SecurityConfig).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleRouter {

	@Bean
	RouterFunction<ServerResponse> consoleRoutes(ConsoleHandler handler) {
		return route().GET("/console", handler::page)
			.GET("/api/admin/live", handler::live)
			.POST("/api/admin/live/stream-token", handler::streamToken)
			.build();
	}

}
