package com.example.flashsale.order;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/redis.md "Idempotency records": a refusal given before any order existed is kept in MySQL, so a
 * replay of its key and body answers the same bytes after Redis lost the key's record, and creates and
 * charges nothing.
 */
class OrderRefusalReplayTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	OrderRefusals refusals;

	@Test
	void aSoldOutRefusalIsReplayedAfterRedisLostTheRecordEvenOnceStockIsBack() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Refused then restocked", 1_000, 1);
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String key = newKey();
		byte[] first = place(this.client, userToken(userId), key, body(productId, 2)).expectStatus().isEqualTo(409)
			.expectBody().returnResult().getResponseBody();

		this.redis.delete(OrderKeys.idempotency(userId, key)).block();
		ProductFixtures.patch(this.client, adminToken(), productId, "{\"stock\":10}").expectStatus().isOk();

		byte[] replay = place(this.client, userToken(userId), key, body(productId, 2)).expectStatus().isEqualTo(409)
			.expectBody().returnResult().getResponseBody();
		assertThat(replay).isEqualTo(first);
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
	}

	@Test
	void aNotFoundRefusalWithAnotherBodyAfterTheLossIsAReusedKey() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		long productId = ProductFixtures.create(this.client, adminToken(), "Other body", 1_000, 5);
		String key = newKey();
		expectProblem(place(this.client, userToken(userId), key, body(Long.MAX_VALUE / 2, 1)), HttpStatus.NOT_FOUND,
				"PRODUCT_NOT_FOUND");

		this.redis.delete(OrderKeys.idempotency(userId, key)).block();

		expectProblem(place(this.client, userToken(userId), key, body(productId, 1)), HttpStatus.UNPROCESSABLE_CONTENT,
				"IDEMPOTENCY_KEY_REUSED");
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
	}

	@Test
	void refusalsOlderThanTheIdempotencyTtlArePurged() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
		for (String age : new String[] { "25 HOUR", "23 HOUR" }) {
			this.db.sql("INSERT INTO order_refusals (user_id, idempotency_key, request_hash, response_status, response_body, "
					+ "created_at) VALUES (?, ?, REPEAT('0', 64), 404, '{}', UTC_TIMESTAMP(6) - INTERVAL " + age + ")")
				.bind(0, userId).bind(1, "aged-" + age.replace(' ', '-')).then().block();
		}

		assertThat(this.refusals.purge().block()).isPositive();

		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM order_refusals WHERE user_id = ?", userId))
			.isEqualTo(1);
	}

}
