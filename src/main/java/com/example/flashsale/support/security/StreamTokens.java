package com.example.flashsale.support.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Short-lived tokens for server-sent event streams (docs/api.md "Authentication"): a browser's
 * {@code EventSource} cannot send an {@code Authorization} header, so a stream also accepts
 * {@code ?streamToken=}, a token made for that stream alone and obtained with the bearer JWT, so the
 * long-lived JWT never goes into a URL. A stream token is an HS256 JWT bound to its user ({@code sub}),
 * its resource ({@code res}, e.g. {@code order:42} or {@code admin-live}) and the audience
 * {@code stream}, living {@code app.security.stream-token.ttl} (5 min). It is signed with a key derived
 * from the JWT secret for this purpose alone, so it is never accepted as a bearer token, and a bearer
 * token is never accepted as a stream token.
 */
@Component
public class StreamTokens {

	/** The query parameter a stream reads its token from. */
	public static final String PARAMETER = "streamToken";

	/** The resource of the operators' live stream, {@code GET /api/admin/live}. */
	public static final String ADMIN_LIVE = "admin-live";

	static final String AUDIENCE = "stream";

	static final String RESOURCE_CLAIM = "res";

	/** The claim of a stream token's roles (a JSON array), whatever claim the bearer tokens use. */
	static final String ROLES_CLAIM = "roles";

	private final NimbusJwtEncoder encoder;

	private final ReactiveJwtDecoder decoder;

	private final Duration ttl;

	private final Clock clock;

	StreamTokens(JwtProperties jwt, Settings settings, Clock clock) {
		SecretKey key = derivedKey(secretOf(jwt, settings));
		this.encoder = new NimbusJwtEncoder(new ImmutableSecret<>(key));
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withSecretKey(key).macAlgorithm(MacAlgorithm.HS256).build();
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(),
				(token) -> token.getAudience() != null && token.getAudience().contains(AUDIENCE)
						&& token.getExpiresAt() != null && token.getClaimAsString(RESOURCE_CLAIM) != null
						? OAuth2TokenValidatorResult.success()
						: OAuth2TokenValidatorResult.failure(new OAuth2Error(
								"invalid_token", "not a stream token", null))));
		this.decoder = decoder;
		this.ttl = settings.ttl();
		this.clock = clock;
	}

	/**
	 * {@code app.security.stream-token.*}.
	 * @param ttl how long a stream token lives (a browser reconnecting later asks for a new one)
	 * @param secret the key stream tokens are signed with, when no HS256 JWT secret is set (an identity
	 * provider signs the bearer tokens); every instance needs the same one
	 */
	@ConfigurationProperties("app.security.stream-token")
	record Settings(@DefaultValue("5m") Duration ttl, String secret) {
	}

	/**
	 * The secret the stream-token key is derived from: the JWT secret, else {@code
	 * app.security.stream-token.secret}, else a random one of this instance alone (logged: tokens then open
	 * streams on this instance only).
	 */
	private static byte[] secretOf(JwtProperties jwt, Settings settings) {
		if (jwt.hasSecret()) {
			return jwt.secretBytes();
		}
		if (settings.secret() != null && !settings.secret().isBlank()) {
			return settings.secret().getBytes(StandardCharsets.UTF_8);
		}
		LogFactory.getLog(StreamTokens.class).warn("Neither app.security.jwt.secret nor app.security.stream-token.secret "
				+ "is set: stream tokens are signed with a random key and open streams on this instance only");
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		return random;
	}

	/**
	 * A stream token and when it expires.
	 * @param streamToken the value of {@code ?streamToken=}
	 */
	public record Issued(String streamToken, Instant expiresAt) {
	}

	/** The resource of {@code orderId}'s status stream, {@code GET /api/orders/{orderId}/events}. */
	public static String orderResource(long orderId) {
		return "order:" + orderId;
	}

	/**
	 * The resource of ticket {@code ticketId}'s stream in waiting room {@code roomId}, {@code GET
	 * /api/waiting-room/{roomId}/tickets/{ticketId}/events}.
	 */
	public static String ticketResource(long roomId, long ticketId) {
		return "room-ticket:" + roomId + ":" + ticketId;
	}

	/**
	 * A token that opens the stream of {@code resource} for {@code userId}, with {@code roles} (e.g. ADMIN
	 * for the operators' stream).
	 */
	public Issued issue(long userId, String resource, List<String> roles) {
		Instant now = this.clock.instant();
		Instant expiresAt = now.plus(this.ttl);
		JwtClaimsSet claims = JwtClaimsSet.builder()
			.subject(Long.toString(userId))
			.audience(List.of(AUDIENCE))
			.issuedAt(now)
			.expiresAt(expiresAt)
			.claim(RESOURCE_CLAIM, resource)
			.claim(StreamTokens.ROLES_CLAIM, roles)
			.build();
		String token = this.encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
			.getTokenValue();
		return new Issued(token, expiresAt);
	}

	/**
	 * The token's claims if it is a valid, unexpired stream token for {@code resource}.
	 * @return the token; an error when it is forged, expired, not a stream token or for another resource
	 */
	Mono<Jwt> verify(String token, String resource) {
		return this.decoder.decode(token)
			.filter((jwt) -> resource.equals(jwt.getClaimAsString(RESOURCE_CLAIM)))
			.switchIfEmpty(Mono.error(() -> new IllegalArgumentException("stream token for another resource")));
	}

	/** HMAC-SHA256(secret, "stream-token"): a key of its own, so the two kinds of token never pass for each other. */
	private static SecretKey derivedKey(byte[] secret) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			return new SecretKeySpec(mac.doFinal("stream-token".getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every JVM", ex);
		}
	}

}
