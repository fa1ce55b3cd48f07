package com.example.flashsale.support.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * JWT settings ({@code app.security.jwt.*}; docs/api.md "Authentication"). The identity provider itself
 * (JWKS, issuer, audiences, algorithms) is configured with Spring Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.*}.
 *
 * @param secret the HS256 key as a UTF-8 string of at least 32 bytes (env {@code APP_SECURITY_JWT_SECRET});
 * required unless an identity provider is configured, and with one accepted only in the {@code local} profile
 * @param devTokenTtl lifetime of tokens minted by the local-profile token endpoint
 * @param rolesClaim the claim holding the caller's roles: {@code roles} (a JSON array), {@code scope} or
 * {@code scp} (a space-separated string, or an array), or a dotted path to a nested JSON array such as
 * Keycloak's {@code realm_access.roles}
 * @param userIdClaim the claim holding the caller's numeric user id (a positive integer, as a string or a
 * number)
 */
@ConfigurationProperties("app.security.jwt")
public record JwtProperties(String secret, @DefaultValue("12h") Duration devTokenTtl,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("sub") String userIdClaim) {

	/**
	 * The development secret of {@code application-local.yaml}. Any profile but {@code local} refuses
	 * to start with it, so a forgotten production secret fails loudly instead of accepting forged tokens.
	 */
	public static final String LOCAL_DEVELOPMENT_SECRET = "local-dev-secret-change-me-0123456789abcdef";

	/** Minimum key size for HS256 (RFC 7518 section 3.2). */
	static final int MIN_SECRET_BYTES = 32;

	/**
	 * Checks the settings.
	 * @throws IllegalArgumentException for a secret shorter than 32 bytes, or a blank claim name
	 */
	public JwtProperties {
		if (secret != null && secret.isEmpty()) {
			secret = null;
		}
		if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
			throw new IllegalArgumentException("app.security.jwt.secret (env APP_SECURITY_JWT_SECRET) must be a "
					+ "UTF-8 string of at least " + MIN_SECRET_BYTES + " bytes");
		}
		if (rolesClaim == null || rolesClaim.isBlank() || userIdClaim == null || userIdClaim.isBlank()) {
			throw new IllegalArgumentException("app.security.jwt.roles-claim and user-id-claim must not be blank");
		}
	}

	/** Whether an HS256 secret is set. */
	public boolean hasSecret() {
		return this.secret != null;
	}

	/**
	 * The key bytes.
	 * @throws IllegalStateException when no secret is set
	 */
	public byte[] secretBytes() {
		if (this.secret == null) {
			throw new IllegalStateException("app.security.jwt.secret is not set");
		}
		return this.secret.getBytes(StandardCharsets.UTF_8);
	}

}
