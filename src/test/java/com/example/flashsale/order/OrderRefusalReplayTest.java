package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static com.example.flashsale.order.OrderFixtures.placeAsync;
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

	/**
	 * A failover to a replica that had the running record but not the finish (docs/redis.md "Idempotency
	 * records"): the replay answers MySQL's bytes, not 409 REQUEST_IN_PROGRESS for the 30 s lease
	 * (chaos cluster-failover-order: before, a replayed 201 was answered 409).
	 */
	@Test
	void aRunningRecordLeftByALostFinishIsAnsweredFromTheDatabase() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Finish lost", 1_000, 5);
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String paidKey = newKey();
		byte[] paid = place(this.client, userToken(userId), paidKey, body(productId, 1)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		String refusedKey = newKey();
		byte[] refused = place(this.client, userToken(userId), refusedKey, body(productId, 50)).expectStatus()
			.isEqualTo(409).expectBody().returnResult().getResponseBody();
		for (String key : List.of(paidKey, refusedKey)) {
			String record = this.redis.opsForValue().get(OrderKeys.idempotency(userId, key)).block();
			// D|<hash>|<status>|<body> back to R|<hash>|<token>: the state before the finish
			this.redis.opsForValue().set(OrderKeys.idempotency(userId, key), "R|" + record.split("\\|")[1] + "|lost-finish").block();
		}

		assertThat(place(this.client, userToken(userId), paidKey, body(productId, 1)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody()).isEqualTo(paid);
		assertThat(place(this.client, userToken(userId), refusedKey, body(productId, 50)).expectStatus().isEqualTo(409)
			.expectBody().returnResult().getResponseBody()).isEqualTo(refused);
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
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
	void aCrowdRefusedAtOnceIsRecordedOneRowPerKeyAndReplayedByteForByte() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Sold out for a crowd", 1_000, 0);
		List<Long> buyers = OrderFixtures.buyers(this.db, 300, 10_000);
		Map<Long, String> keys = new java.util.HashMap<>();
		buyers.forEach((userId) -> keys.put(userId, newKey()));
		var parallel = parallelClient();

		Map<Long, OrderFixtures.Answer> first = Flux.fromIterable(buyers)
			.flatMap((userId) -> placeAsync(parallel, userToken(userId), keys.get(userId), body(productId, 1))
				.map((answer) -> Map.entry(userId, answer)), 300)
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block(Duration.ofSeconds(60));

		assertThat(first.values()).as("answers other than 409 INSUFFICIENT_STOCK: %s", first.values().stream()
			.filter((a) -> !(a.status() == 409 && a.text().contains("INSUFFICIENT_STOCK")))
			.map((a) -> a.status() + " " + a.text())
			.distinct()
			.toList()).allMatch((a) -> a.status() == 409 && a.text().contains("INSUFFICIENT_STOCK"));
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM order_refusals WHERE user_id BETWEEN ? AND ?",
				buyers.get(0), buyers.get(buyers.size() - 1))).isEqualTo(300);

		buyers.forEach((userId) -> this.redis.delete(OrderKeys.idempotency(userId, keys.get(userId))).block());
		ProductFixtures.patch(this.client, adminToken(), productId, "{\"stock\":1000}").expectStatus().isOk();
		Map<Long, OrderFixtures.Answer> replays = Flux.fromIterable(buyers)
			.flatMap((userId) -> placeAsync(parallel, userToken(userId), keys.get(userId), body(productId, 1))
				.map((answer) -> Map.entry(userId, answer)), 300)
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block(Duration.ofSeconds(60));

		buyers.forEach((userId) -> assertThat(replays.get(userId).body()).isEqualTo(first.get(userId).body()));
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id BETWEEN ? AND ?",
				buyers.get(0), buyers.get(buyers.size() - 1))).isZero();
	}

	@Test
	void twoRefusalsOfOneKeyInOneGroupAnswerTheFirstRecordedOrAReusedKey() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
		String key = newKey();
		OrderOutcome notFound = new OrderOutcome(404, "{\"code\":\"PRODUCT_NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8));
		OrderOutcome soldOut = new OrderOutcome(409, "{\"code\":\"INSUFFICIENT_STOCK\"}".getBytes(StandardCharsets.UTF_8));

		List<Object> answers = Flux.merge(answerOrError(this.refusals.remember(userId, key, "1".repeat(64), notFound)),
				answerOrError(this.refusals.remember(userId, key, "1".repeat(64), soldOut)),
				answerOrError(this.refusals.remember(userId, key, "2".repeat(64), soldOut)))
			.collectList()
			.block(Duration.ofSeconds(10));

		List<OrderOutcome> outcomes = answers.stream().filter(OrderOutcome.class::isInstance).map(OrderOutcome.class::cast).toList();
		// the same body's two refusals answer the one recorded; the other body is a reused key
		assertThat(outcomes).hasSize(2);
		assertThat(outcomes.get(0).body()).isEqualTo(outcomes.get(1).body());
		assertThat(answers).filteredOn(ProblemException.class::isInstance)
			.singleElement()
			.satisfies((e) -> assertThat(((ProblemException) e).code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM order_refusals WHERE user_id = ?", userId))
			.isEqualTo(1);
	}

	private static Mono<Object> answerOrError(Mono<OrderOutcome> outcome) {
		return outcome.<Object>map((o) -> o).onErrorResume((e) -> Mono.just(e));
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
