package com.example.flashsale.support.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * JWT settings ({@code app.security.jwt.*}).
 *
 * @param secret the HS256 key as a UTF-8 string of at least 32 bytes (env {@code APP_SECURITY_JWT_SECRET})
 * @param devTokenTtl lifetime of tokens minted by the local-profile token endpoint
 */
@ConfigurationProperties("app.security.jwt")
public record JwtProperties(String secret, @DefaultValue("12h") Duration devTokenTtl) {

	/**
	 * The development secret of {@code application-local.yaml}. Any profile but {@code local} refuses
	 * to start with it, so a forgotten production secret fails loudly instead of accepting forged tokens.
	 */
	public static final String LOCAL_DEVELOPMENT_SECRET = "local-dev-secret-change-me-0123456789abcdef";

	/** Minimum key size for HS256 (RFC 7518 section 3.2). */
	static final int MIN_SECRET_BYTES = 32;

	public JwtProperties {
		if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
			throw new IllegalArgumentException("app.security.jwt.secret (env APP_SECURITY_JWT_SECRET) must be set to a "
					+ "UTF-8 string of at least " + MIN_SECRET_BYTES + " bytes");
		}
	}

	/** The key bytes. */
	public byte[] secretBytes() {
		return this.secret.getBytes(StandardCharsets.UTF_8);
	}

}
