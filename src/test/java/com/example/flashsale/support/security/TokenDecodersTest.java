package com.example.flashsale.support.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens of a real identity provider (docs/api.md "Authentication"), decoded as the service does against
 * {@link IdentityProviderStub}'s JWK set over HTTP, with BlockHound watching the event loops the keys are
 * fetched and the signatures checked on: RS256 and ES256 are accepted; a wrong issuer or audience, an
 * expired token, an unknown {@code kid}, a forged signature, a missing {@code exp} or a non-numeric user id
 * are refused; a rotated key is picked up by its new {@code kid}; OpenID discovery from the issuer alone
 * works; HS256 tokens are refused once a provider is configured, except in the local profile; a provider
 * that cannot be reached is a 503 problem, not a refused token.
 */
class TokenDecodersTest {

	private static final String AUDIENCE = "flashsale";

	private static final String SECRET = "a-test-secret-of-at-least-32-bytes-0123456789";

	private static final IdentityProviderStub PROVIDER = new IdentityProviderStub();

	@AfterAll
	static void stop() {
		PROVIDER.close();
	}

	@Test
	void rs256AndEs256TokensOfTheProviderAreAccepted() {
		ReactiveJwtDecoder decoder = decoder(properties(null, "sub"), false);
		accepted(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).build()), "42");
		accepted(decoder, PROVIDER.es256(PROVIDER.claims("43", AUDIENCE).build()), "43");
	}

	@Test
	void tokensBreakingARuleAreRefused() {
		ReactiveJwtDecoder decoder = decoder(properties(null, "sub"), false);
		Date anHourAgo = Date.from(Instant.now().minus(Duration.ofHours(1)));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).issuer("http://127.0.0.1:1/other").build()));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", "another-service").build()));
		refused(decoder, PROVIDER.es256(PROVIDER.claims("42", AUDIENCE).issueTime(anHourAgo)
			.expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(30)))).build()));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).expirationTime(null).build()));
		refused(decoder, PROVIDER.unknownKidRs256(PROVIDER.claims("42", AUDIENCE).build()));
		refused(decoder, PROVIDER.forgedRs256(PROVIDER.claims("42", AUDIENCE).build()));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("alice", AUDIENCE).build()));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("0", AUDIENCE).build()));
		refused(decoder, ForgedTokens.sign(SECRET, "42", Instant.now().plus(Duration.ofHours(1))));
		refused(decoder, "not-a-jwt");
	}

	@Test
	void anUnreachableProviderIsAServiceUnavailableProblem() {
		OAuth2ResourceServerProperties.Jwt unreachable = provider(PROVIDER);
		unreachable.setJwkSetUri("http://127.0.0.1:1/jwks");
		ReactiveJwtDecoder decoder = TokenDecoders.create(properties(null, "sub"), unreachable, false, WebClient.create());
		StepVerifier.create(decoder.decode(PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).build())))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(ProblemException.class,
					(problem) -> assertThat(problem.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE)))
			.verify(Duration.ofSeconds(10));
	}

	@Test
	void aRotatedKeyIsFetchedByItsNewKid() {
		IdentityProviderStub provider = new IdentityProviderStub();
		try {
			ReactiveJwtDecoder decoder = decoder(provider, properties(null, "sub"), false);
			String before = provider.rs256(provider.claims("42", AUDIENCE).build());
			accepted(decoder, before, "42");
			accepted(decoder, provider.es256(provider.claims("42", AUDIENCE).build()), "42");
			assertThat(provider.jwksFetches()).as("the JWK set is cached").isEqualTo(1);
			provider.rotate();
			accepted(decoder, provider.rs256(provider.claims("44", AUDIENCE).build()), "44");
			accepted(decoder, provider.es256(provider.claims("45", AUDIENCE).build()), "45");
			assertThat(provider.jwksFetches()).as("fetched again for the new kid only").isEqualTo(2);
			refused(decoder, before);
		}
		finally {
			provider.close();
		}
	}

	@Test
	void theIssuerAloneIsEnoughThroughOpenIdDiscovery() {
		OAuth2ResourceServerProperties.Jwt provider = provider(PROVIDER);
		provider.setJwkSetUri(null);
		ReactiveJwtDecoder decoder = TokenDecoders.create(properties(null, "sub"), provider, false, WebClient.create());
		accepted(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).build()), "42");
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).issuer("http://127.0.0.1:1/other").build()));
	}

	@Test
	void hs256TokensCountWithAProviderOnlyInTheLocalProfile() {
		String hs256 = ForgedTokens.sign(SECRET, "42", Instant.now().plus(Duration.ofHours(1)));
		refused(decoder(properties(SECRET, "sub"), false), hs256);
		ReactiveJwtDecoder local = decoder(properties(SECRET, "sub"), true);
		accepted(local, hs256, "42");
		accepted(local, PROVIDER.es256(PROVIDER.claims("43", AUDIENCE).build()), "43");
		refused(local, ForgedTokens.sign("another-secret-of-at-least-32-bytes-length!!", "42",
				Instant.now().plus(Duration.ofHours(1))));
	}

	@Test
	void aProviderWithoutNumericSubjectsNamesItsUserIdClaim() {
		JwtProperties properties = properties(null, "user_id");
		ReactiveJwtDecoder decoder = decoder(properties, false);
		String token = PROVIDER.rs256(PROVIDER.claims("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", AUDIENCE)
			.claim("user_id", 42L)
			.build());
		Jwt jwt = decoder.decode(token).block(Duration.ofSeconds(10));
		JwtAuthenticationToken caller = (JwtAuthenticationToken) new TokenAuthentication(properties).convert(jwt)
			.block(Duration.ofSeconds(10));
		assertThat(caller.getName()).isEqualTo("42");
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).build()));
		refused(decoder, PROVIDER.rs256(PROVIDER.claims("42", AUDIENCE).claim("user_id", "bob").build()));
	}

	@Test
	void rolesComeFromTheConfiguredNestedClaim() {
		JwtProperties properties = new JwtProperties(null, Duration.ofHours(1), "realm_access.roles", "sub");
		JWTClaimsSet claims = PROVIDER.claims("42", AUDIENCE)
			.claim("realm_access", Map.of("roles", List.of("ADMIN", "offline_access")))
			.claim("roles", List.of("IGNORED"))
			.build();
		Jwt jwt = decoder(properties, false).decode(PROVIDER.rs256(claims)).block(Duration.ofSeconds(10));
		assertThat(new TokenAuthentication(properties).authorities(jwt)).extracting(GrantedAuthority::getAuthority)
			.containsExactly("ROLE_ADMIN", "ROLE_offline_access");
	}

	private static ReactiveJwtDecoder decoder(JwtProperties properties, boolean local) {
		return decoder(PROVIDER, properties, local);
	}

	private static ReactiveJwtDecoder decoder(IdentityProviderStub provider, JwtProperties properties, boolean local) {
		return TokenDecoders.create(properties, provider(provider), local, WebClient.create());
	}

	private static OAuth2ResourceServerProperties.Jwt provider(IdentityProviderStub stub) {
		OAuth2ResourceServerProperties.Jwt provider = new OAuth2ResourceServerProperties.Jwt();
		provider.setIssuerUri(stub.issuer());
		provider.setJwkSetUri(stub.jwksUri());
		provider.setAudiences(List.of(AUDIENCE));
		provider.setJwsAlgorithms(List.of("RS256", "ES256"));
		return provider;
	}

	private static JwtProperties properties(String secret, String userIdClaim) {
		return new JwtProperties(secret, Duration.ofHours(1), "roles", userIdClaim);
	}

	private static void accepted(ReactiveJwtDecoder decoder, String token, String subject) {
		StepVerifier.create(decoder.decode(token))
			.assertNext((jwt) -> assertThat(jwt.getSubject()).isEqualTo(subject))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	private static void refused(ReactiveJwtDecoder decoder, String token) {
		StepVerifier.create(decoder.decode(token))
			.expectError(JwtException.class)
			.verify(Duration.ofSeconds(10));
	}

}
