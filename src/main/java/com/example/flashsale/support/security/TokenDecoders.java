package com.example.flashsale.support.security;

import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jwt.JWTParser;
import reactor.core.publisher.Mono;

import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder.JwkSetUriReactiveJwtDecoderBuilder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.web.Ids;

/**
 * Builds the service's token decoder (docs/api.md "Authentication"):
 * <ul>
 * <li>no identity provider configured: HS256 tokens signed with {@code app.security.jwt.secret} only;</li>
 * <li>an identity provider ({@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri} and
 * {@code issuer-uri}, or {@code issuer-uri} alone for OpenID discovery): its tokens, signed with one of
 * {@code jws-algorithms} (RS256, ES256) by a key of its JWK set, fetched through a non-blocking
 * {@code WebClient} and fetched again when a token names a {@code kid} the cached set lacks (key rotation);
 * {@code iss} must be the issuer and, when {@code audiences} is set, {@code aud} must name one of them;</li>
 * <li>both, in the {@code local} profile only: the token's {@code alg} header picks the decoder. Outside
 * {@code local} a configured provider is the only source of tokens, whatever the secret.</li>
 * </ul>
 * Every token needs {@code exp} and a positive numeric user id in {@code app.security.jwt.user-id-claim}.
 * A provider that cannot be reached when its keys are needed makes the request a 503.
 */
final class TokenDecoders {

	private TokenDecoders() {
	}

	/**
	 * The decoder for these settings.
	 * @param local whether the {@code local} profile is active
	 * @param webClient the client that fetches the provider's keys and discovery document
	 * @throws IllegalStateException when neither a secret nor a provider is configured, when a JWK set URI
	 * comes without an issuer URI, or for an unknown or symmetric algorithm in {@code jws-algorithms}
	 */
	static ReactiveJwtDecoder create(JwtProperties jwt, OAuth2ResourceServerProperties.Jwt provider, boolean local,
			WebClient webClient) {
		boolean hasProvider = StringUtils.hasText(provider.getJwkSetUri()) || StringUtils.hasText(provider.getIssuerUri());
		if (!hasProvider) {
			if (!jwt.hasSecret()) {
				throw new IllegalStateException("app.security.jwt.secret (env APP_SECURITY_JWT_SECRET) must be set to a "
						+ "UTF-8 string of at least " + JwtProperties.MIN_SECRET_BYTES + " bytes, or an identity provider "
						+ "configured with spring.security.oauth2.resourceserver.jwt.issuer-uri");
			}
			return secretDecoder(jwt);
		}
		ReactiveJwtDecoder providerDecoder = providerDecoder(jwt, provider, webClient);
		return (local && jwt.hasSecret()) ? new ByAlgorithm(secretDecoder(jwt), providerDecoder) : providerDecoder;
	}

	/** The HMAC key of {@code app.security.jwt.secret}. */
	static SecretKey secretKey(JwtProperties properties) {
		return new SecretKeySpec(properties.secretBytes(), "HmacSHA256");
	}

	private static ReactiveJwtDecoder secretDecoder(JwtProperties jwt) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withSecretKey(secretKey(jwt))
			.macAlgorithm(MacAlgorithm.HS256)
			.build();
		decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(commonValidators(jwt)));
		return decoder;
	}

	private static ReactiveJwtDecoder providerDecoder(JwtProperties jwt, OAuth2ResourceServerProperties.Jwt provider,
			WebClient webClient) {
		String issuer = provider.getIssuerUri();
		if (!StringUtils.hasText(issuer)) {
			throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.issuer-uri must be set with "
					+ "jwk-set-uri: without it, a token of any issuer sharing those keys would be accepted");
		}
		JwkSetUriReactiveJwtDecoderBuilder builder = StringUtils.hasText(provider.getJwkSetUri())
				? NimbusReactiveJwtDecoder.withJwkSetUri(provider.getJwkSetUri())
				: NimbusReactiveJwtDecoder.withIssuerLocation(issuer);
		builder.webClient(webClient).jwsAlgorithms((algorithms) -> {
			for (String name : provider.getJwsAlgorithms()) {
				SignatureAlgorithm algorithm = SignatureAlgorithm.from(name);
				if (algorithm == null) {
					throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.jws-algorithms: " + name
							+ " is not an asymmetric JWS algorithm (RS256, ES256, ...)");
				}
				algorithms.add(algorithm);
			}
		});
		NimbusReactiveJwtDecoder decoder = builder.build();
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>(commonValidators(jwt));
		validators.add(new JwtIssuerValidator(issuer));
		List<String> audiences = provider.getAudiences();
		if (!audiences.isEmpty()) {
			validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
					(aud) -> aud != null && !Collections.disjoint(aud, audiences)));
		}
		decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(validators));
		return new ProviderReachable(decoder);
	}

	private static List<OAuth2TokenValidator<Jwt>> commonValidators(JwtProperties jwt) {
		String claim = jwt.userIdClaim();
		return List.of(new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull),
				(token) -> (userId(token, claim) != null) ? OAuth2TokenValidatorResult.success()
						: OAuth2TokenValidatorResult.failure(
								new OAuth2Error("invalid_token", claim + " must be a positive user id", null)));
	}

	/**
	 * The user id in {@code claim} of {@code jwt} (a positive integer as a string or a JSON number, spelled
	 * canonically: ASCII digits, no sign, no leading zero, see {@link Ids}), as a decimal string; null when it
	 * is missing or anything else.
	 */
	static String userId(Jwt jwt, String claim) {
		Object value = jwt.getClaims().get(claim);
		String text;
		if (value instanceof String string) {
			text = string;
		}
		else if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
			text = value.toString();
		}
		else {
			return null;
		}
		long id = Ids.parse(text);
		return (id > 0) ? text : null;
	}

	/**
	 * A provider's decoder whose failures other than a refused token (its JWK set or discovery document
	 * could not be fetched: refused connection, timeout, an error status) are 503 SERVICE_UNAVAILABLE, as
	 * for any unreachable backing service, instead of a 500.
	 */
	static final class ProviderReachable implements ReactiveJwtDecoder {

		private final ReactiveJwtDecoder decoder;

		ProviderReachable(ReactiveJwtDecoder decoder) {
			this.decoder = decoder;
		}

		@Override
		public Mono<Jwt> decode(String token) {
			return this.decoder.decode(token)
				.onErrorMap((ex) -> !(ex instanceof JwtException), (ex) -> new ProblemException(
						ErrorCode.SERVICE_UNAVAILABLE, "The identity provider's keys could not be fetched; retry later."));
		}

	}

	/** The local profile with a provider: HS256 tokens to the secret's decoder, every other to the provider's. */
	static final class ByAlgorithm implements ReactiveJwtDecoder {

		private final ReactiveJwtDecoder secret;

		private final ReactiveJwtDecoder provider;

		ByAlgorithm(ReactiveJwtDecoder secret, ReactiveJwtDecoder provider) {
			this.secret = secret;
			this.provider = provider;
		}

		@Override
		public Mono<Jwt> decode(String token) {
			String algorithm;
			try {
				algorithm = JWTParser.parse(token).getHeader().getAlgorithm().getName();
			}
			catch (ParseException | RuntimeException ex) {
				return Mono.error(new BadJwtException("Malformed token", ex));
			}
			return (algorithm.startsWith("HS") ? this.secret : this.provider).decode(token);
		}

	}

}
