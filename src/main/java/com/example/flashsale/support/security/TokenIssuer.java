package com.example.flashsale.support.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.jwk.source.ImmutableSecret;

import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.stereotype.Component;

/**
 * Mints HS256 tokens with the service's own secret, in the shape {@link SecurityConfig} accepts:
 * {@code sub} = user id, {@code exp}, optional {@code roles}. Used by the local-profile token endpoint
 * and by tests; production tokens come from the shop's identity provider with the same secret.
 */
@Component
public class TokenIssuer {

	private final NimbusJwtEncoder encoder;

	private final Clock clock;

	TokenIssuer(JwtProperties properties, Clock clock) {
		this.encoder = new NimbusJwtEncoder(new ImmutableSecret<>(SecurityConfig.secretKey(properties)));
		this.clock = clock;
	}

	/**
	 * A signed token for {@code userId} with the given roles (e.g. {@code ADMIN}), valid for {@code ttl}.
	 */
	public String issue(long userId, List<String> roles, Duration ttl) {
		Instant now = this.clock.instant();
		JwtClaimsSet claims = JwtClaimsSet.builder()
			.subject(Long.toString(userId))
			.issuedAt(now)
			.expiresAt(now.plus(ttl))
			.claim(SecurityConfig.ROLES_CLAIM, roles)
			.build();
		return this.encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
			.getTokenValue();
	}

}
