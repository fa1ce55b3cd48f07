package com.example.flashsale.support;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.RedisFaultProxy;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API with Redis unreachable (docs/redis.md) (its connection cut by {@link RedisFaultProxy}): the catalogue
 * is still served from MySQL, everything that needs Redis to decide answers 503 with
 * {@code Retry-After} and changes nothing, and the service recovers when Redis is back.
 */
class RedisOutageTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.support.problem.ProblemExceptionHandler",
			"com.example.flashsale.support.cache.ReadThroughCache",
			"com.example.flashsale.support.redis.RedisLock",
			"io.lettuce.core.protocol.ConnectionWatchdog");

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@Autowired
	RedisFaultProxy redisProxy;

	@Autowired
	DatabaseClient db;

	@AfterEach
	void redisBack() {
		this.redisProxy.restore();
	}

	@Test
	void withoutRedisTheCatalogueIsServedAndDecisionsAre503WithNothingChanged() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Outage", 1000, 5);
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		String token = userToken(userId);
		charge(token).expectStatus().isOk();

		this.redisProxy.cut();

		Map<String, Object> listed = this.client.get().uri("/api/products").headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		assertThat(listed.get("products").toString()).contains("id=" + productId + ",");
		this.client.get().uri("/api/products/{id}", productId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.price").isEqualTo(1000);

		expectUnavailable(charge(token));
		assertThat(balanceRow(userId)).isEqualTo(Map.of("balance", 5000L, "rows", 1L));

		expectUnavailable(this.client.patch().uri("/api/admin/products/{id}", productId)
			.headers((h) -> h.setBearerAuth(adminToken())).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"price\":2000,\"stock\":1}").exchange());
		assertThat(this.db.sql("SELECT price, stock FROM products WHERE id = ?").bind(0, productId).fetch().one().block())
			.isEqualTo(Map.of("price", 1000L, "stock", 5));

		this.redisProxy.restore();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
			.until(() -> charge(token).returnResult(String.class).getStatus().value() == 200);
		assertThat(balanceRow(userId).get("balance")).isEqualTo(10_000L);
	}

	private void expectUnavailable(WebTestClient.ResponseSpec response) {
		response.expectHeader().exists(HttpHeaders.RETRY_AFTER);
		expectProblem(response, HttpStatus.SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
	}

	private WebTestClient.ResponseSpec charge(String token) {
		return postJson("/api/balance/charge", token, "{\"amount\":5000}");
	}

	private Map<String, Object> balanceRow(long userId) {
		return this.db.sql("SELECT u.balance AS balance, (SELECT COUNT(*) FROM balance_transactions t WHERE t.user_id = u.id) "
				+ "AS `rows` FROM users u WHERE u.id = ?").bind(0, userId).fetch().one().block();
	}

}
