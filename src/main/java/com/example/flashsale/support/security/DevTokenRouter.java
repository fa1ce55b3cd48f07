package com.example.flashsale.support.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * The local profile's token route (docs/api.md "Authentication"); open without a token (SecurityConfig).
 * Its OpenAPI description: {@link DevTokenApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
@Profile("local")
class DevTokenRouter {

	static final String PATH = "/api/dev/tokens";

	@Bean
	RouterFunction<ServerResponse> devTokenRoutes(DevTokenHandler handler) {
		return route().POST(PATH, handler::issue, DevTokenApiDoc::issue).build();
	}

}
