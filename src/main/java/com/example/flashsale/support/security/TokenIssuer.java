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
 * Mints HS256 tokens with the service's own secret, in the shape {@link SecurityConfig} accepts
 * (docs/api.md "Authentication"): {@code sub} (and the configured user id claim) = user id, {@code exp},
 * the roles in the configured roles claim. Used by the local-profile token endpoint and by tests;
 * production tokens come from the identity provider.
 */
@Component
public class TokenIssuer {

	private final NimbusJwtEncoder encoder;

	private final RolesClaim rolesClaim;

	private final String userIdClaim;

	private final Clock clock;

	TokenIssuer(JwtProperties properties, Clock clock) {
		this.encoder = properties.hasSecret()
				? new NimbusJwtEncoder(new ImmutableSecret<>(TokenDecoders.secretKey(properties))) : null;
		this.rolesClaim = new RolesClaim(properties.rolesClaim());
		this.userIdClaim = properties.userIdClaim();
		this.clock = clock;
	}

	/**
	 * A signed token for {@code userId} with the given roles (e.g. {@code ADMIN}), valid for {@code ttl}.
	 * @throws IllegalStateException when no {@code app.security.jwt.secret} is set
	 */
	public String issue(long userId, List<String> roles, Duration ttl) {
		if (this.encoder == null) {
			throw new IllegalStateException("app.security.jwt.secret is not set: this service mints no tokens");
		}
		Instant now = this.clock.instant();
		JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
			.subject(Long.toString(userId))
			.issuedAt(now)
			.expiresAt(now.plus(ttl))
			.claims((all) -> all.putAll(this.rolesClaim.claimsFor(roles)));
		if (!this.userIdClaim.equals("sub")) {
			claims.claim(this.userIdClaim, Long.toString(userId));
		}
		return this.encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims.build()))
			.getTokenValue();
	}

}
