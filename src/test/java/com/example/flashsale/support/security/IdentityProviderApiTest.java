package com.example.flashsale.support.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.DataPlatformStub;
import com.example.flashsale.FlashSaleApplication;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service behind a real identity provider, over HTTP (docs/api.md "Authentication"): a second
 * instance of the application configured like the README's Keycloak example (issuer, JWK set, audience,
 * roles in {@code realm_access.roles}) against {@link IdentityProviderStub}. RS256 and ES256 tokens reach
 * the caller's own account; the ADMIN role is read from the nested claim only, and only from a JSON array
 * (on the default {@code roles} claim too: a string is no role, on the test's own instance);
 * a wrong issuer, a wrong audience, an expired token, an unknown {@code kid}, a forged signature and the
 * service's own HS256 tokens (no {@code local} profile) are 401 problem details; a rotated key is picked up;
 * a provider whose keys cannot be fetched makes the request a 503, not a 500.
 */
class IdentityProviderApiTest extends IntegrationTest {

	private static final String AUDIENCE = "flashsale";

	private static final IdentityProviderStub PROVIDER = new IdentityProviderStub();

	private static ConfigurableApplicationContext withProvider;

	@Autowired
	ApplicationContext first;

	@Value("${app.security.jwt.secret}")
	String secret;

	@AfterAll
	static void stop() {
		if (withProvider != null) {
			withProvider.close();
			withProvider = null;
		}
		PROVIDER.close();
	}

	@Test
	void rs256AndEs256TokensActAsTheirUser() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		for (String token : List.of(PROVIDER.rs256(claims(userId).build()), PROVIDER.es256(claims(userId).build()))) {
			Answer answer = get("/api/balance", token);
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.body()).containsEntry("userId", (int) userId).containsEntry("balance", 0);
		}
	}

	@Test
	void theAdminRoleComesFromTheNestedArrayOnly() {
		String path = "/api/admin/coupons/" + Long.MAX_VALUE;
		assertThat(get(path, PROVIDER.rs256(claims(1).claim("realm_access", Map.of("roles", List.of("ADMIN"))).build()))
			.code()).isEqualTo("COUPON_NOT_FOUND");
		assertThat(get(path, PROVIDER.es256(claims(1).claim("realm_access", Map.of("roles", List.of("user"))).build()))
			.code()).isEqualTo("FORBIDDEN");
		assertThat(get(path, PROVIDER.rs256(claims(1).claim("realm_access", Map.of("roles", "ADMIN")).build())).code())
			.isEqualTo("FORBIDDEN");
		assertThat(get(path, PROVIDER.rs256(claims(1).claim("roles", List.of("ADMIN")).build())).code())
			.isEqualTo("FORBIDDEN");
	}

	@Test
	void aRolesStringGrantsNothingOnTheDefaultClaim() {
		String path = "/api/admin/coupons/" + Long.MAX_VALUE;
		Date later = Date.from(Instant.now().plus(Duration.ofHours(1)));
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject("1").expirationTime(later);
		for (String roles : List.of("ADMIN", "USER ADMIN", "USER,ADMIN")) {
			expectProblem(this.client.get().uri(path)
				.headers((h) -> h.setBearerAuth(ForgedTokens.sign(this.secret, claims.claim("roles", roles).build())))
				.exchange(), HttpStatus.FORBIDDEN, "FORBIDDEN");
		}
		expectProblem(this.client.get().uri(path)
			.headers((h) -> h.setBearerAuth(ForgedTokens.sign(this.secret, claims.claim("roles", List.of("ADMIN")).build())))
			.exchange(), HttpStatus.NOT_FOUND, "COUPON_NOT_FOUND");
	}

	@Test
	void tokensBreakingARuleAre401ProblemDetails() {
		Date anHourAgo = Date.from(Instant.now().minus(Duration.ofHours(1)));
		List<String> refused = List.of(PROVIDER.rs256(claims(1).issuer("http://127.0.0.1:1/realms/other").build()),
				PROVIDER.es256(PROVIDER.claims("1", "another-service").build()),
				PROVIDER.rs256(claims(1).issueTime(anHourAgo).expirationTime(anHourAgo).build()),
				PROVIDER.unknownKidRs256(claims(1).build()), PROVIDER.forgedRs256(claims(1).build()),
				PROVIDER.rs256(PROVIDER.claims("alice", AUDIENCE).build()), userToken(1), adminToken());
		for (String token : refused) {
			Answer answer = get("/api/balance", token);
			assertThat(answer.status()).isEqualTo(401);
			assertThat(answer.contentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(answer.code()).isEqualTo("UNAUTHORIZED");
		}
	}

	@Test
	void aRotatedKeyIsPickedUp() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		assertThat(get("/api/balance", PROVIDER.rs256(claims(userId).build())).status()).isEqualTo(200);
		PROVIDER.rotate();
		assertThat(get("/api/balance", PROVIDER.rs256(claims(userId).build())).status()).isEqualTo(200);
		assertThat(get("/api/balance", PROVIDER.es256(claims(userId).build())).status()).isEqualTo(200);
	}

	@Test
	void anUnreachableProviderIs503AndNothingElse() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		PROVIDER.rotate();
		PROVIDER.failing(true);
		try {
			Answer answer = get("/api/balance", PROVIDER.rs256(claims(userId).build()));
			assertThat(answer.status()).isEqualTo(503);
			assertThat(answer.contentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(answer.code()).isEqualTo("SERVICE_UNAVAILABLE");
		}
		finally {
			PROVIDER.failing(false);
		}
		assertThat(get("/api/balance", PROVIDER.rs256(claims(userId).build())).status()).isEqualTo(200);
	}

	private static JWTClaimsSet.Builder claims(long userId) {
		return PROVIDER.claims(Long.toString(userId), AUDIENCE);
	}

	/** One answer of the provider-configured instance. */
	record Answer(int status, MediaType contentType, Map<String, Object> body) {

		String code() {
			return String.valueOf(this.body.get("code"));
		}

	}

	private Answer get(String path, String token) {
		return client().get().uri(path).headers((h) -> h.setBearerAuth(token)).exchangeToMono((response) -> response
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.defaultIfEmpty(Map.of())
			.map((body) -> new Answer(response.statusCode().value(), response.headers().contentType().orElse(null), body)))
			.onErrorResume((ex) -> Mono.error(new AssertionError(path, ex)))
			.block(Duration.ofSeconds(20));
	}

	/** The second instance, configured for {@link #PROVIDER} as the README shows for Keycloak. */
	private WebClient client() {
		if (withProvider == null) {
			R2dbcConnectionDetails database = this.first.getBean(R2dbcConnectionDetails.class);
			DataRedisConnectionDetails redis = this.first.getBean(DataRedisConnectionDetails.class);
			withProvider = new SpringApplicationBuilder(FlashSaleApplication.class).profiles("test")
				.properties("server.port=0", "spring.flyway.enabled=false", "spring.docker.compose.enabled=false",
						"app.data-platform.base-url=" + DataPlatformStub.get().baseUrl(),
						"spring.security.oauth2.resourceserver.jwt.issuer-uri=" + PROVIDER.issuer(),
						"spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + PROVIDER.jwksUri(),
						"spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE,
						"app.security.jwt.roles-claim=realm_access.roles")
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("firstInstanceDatabase", database);
					context.getBeanFactory().registerSingleton("firstInstanceRedis", redis);
				})
				.run();
		}
		String port = withProvider.getBean(Environment.class).getProperty("local.server.port");
		return WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
	}

}
