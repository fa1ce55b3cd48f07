package com.example.flashsale.support.security;

import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.Positive;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * {@code POST /api/dev/tokens {"userId":1,"admin":true}} -> {@code {token, expiresAt}}: lets a newcomer
 * call every endpoint within a minute of starting the service. Exists only in the {@code local} profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("local")
class DevTokenRouter {

	static final String PATH = "/api/dev/tokens";

	@Bean
	RouterFunction<ServerResponse> devTokenRoutes(TokenIssuer tokens, JwtProperties properties, Requests requests) {
		return route().POST(PATH, (request) -> requests.body(request, TokenRequest.class).flatMap((body) -> {
			List<String> roles = Boolean.TRUE.equals(body.admin()) ? List.of("ADMIN") : List.of();
			String token = tokens.issue(body.userId(), roles, properties.devTokenTtl());
			return ServerResponse.ok()
				.bodyValue(new TokenResponse(token, Instant.now().plus(properties.devTokenTtl())));
		})).build();
	}

	record TokenRequest(@Positive long userId, Boolean admin) {
	}

	record TokenResponse(String token, Instant expiresAt) {
	}

}
