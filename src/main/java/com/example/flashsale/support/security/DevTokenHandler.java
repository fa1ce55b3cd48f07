package com.example.flashsale.support.security;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Positive;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

/**
 * {@code POST /api/dev/tokens {"userId":1,"admin":true}} -> {@code {token, expiresAt}}: lets a newcomer
 * call every endpoint within a minute of starting the service (docs/api.md "Authentication"). Exists only
 * in the {@code local} profile.
 */
@Component
@Profile("local")
class DevTokenHandler {

	private final TokenIssuer tokens;

	private final JwtProperties properties;

	private final Requests requests;

	private final Clock clock;

	DevTokenHandler(TokenIssuer tokens, JwtProperties properties, Requests requests, Clock clock) {
		this.tokens = tokens;
		this.properties = properties;
		this.requests = requests;
		this.clock = clock;
	}

	/** Mints a token for the requested user, with the ADMIN role when asked. */
	Mono<ServerResponse> issue(ServerRequest request) {
		return this.requests.body(request, TokenRequest.class).flatMap((body) -> {
			List<String> roles = Boolean.TRUE.equals(body.admin()) ? List.of("ADMIN") : List.of();
			String token = this.tokens.issue(body.userId(), roles, this.properties.devTokenTtl());
			return ServerResponse.ok()
				.bodyValue(new TokenResponse(token, this.clock.instant().plus(this.properties.devTokenTtl())));
		});
	}

	record TokenRequest(@Positive long userId, @Schema(nullable = true) Boolean admin) {
	}

	record TokenResponse(String token, Instant expiresAt) {
	}

}
