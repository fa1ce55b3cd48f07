package com.example.flashsale.order;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.SecondInstance;
import com.example.flashsale.order.OrderFixtures.Answer;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.placeAsync;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Products sold out from memory (docs/operations.md "Admission: rate limits, load shedding, sold out from
 * memory", ADR 0026), on two instances sharing one database and one Redis: this test's instance (A) and a
 * second one started here (B). A product seen at zero stock is refused by both with the full path's bytes,
 * without the key's Redis record or the user's lock; each refusal is still its key's answer in MySQL; a key
 * that has an order is answered its order; stock that comes back on one instance is seen by the other at
 * once. The memory's TTL is an hour here, so only the stock-back message can make an instance forget.
 */
@TestPropertySource(properties = { SoldOutProductMemoryTest.ON, SoldOutProductMemoryTest.TTL })
class SoldOutProductMemoryTest extends IntegrationTest {

	static final String ON = "app.products.sold-out-from-memory=true";

	static final String TTL = "app.products.sold-out-memory-ttl=1h";

	/** What this fault test makes the service log on purpose (the pending order's lost commit reply). */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga");

	private static ConfigurableApplicationContext second;

	@Autowired
	ApplicationContext first;

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseFaults faults;

	@Autowired
	PendingOrderRecovery recovery;

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	@AfterAll
	static void stopSecond() {
		if (second != null) {
			second.close();
			second = null;
		}
	}

	/** Instance B: the same application and settings, its own server and subscription; A's connections. */
	private WebClient secondClient() {
		if (second == null) {
			second = SecondInstance.start(this.first, ON, TTL);
			EXPECTED.attach();
		}
		return WebClient.builder().baseUrl(SecondInstance.baseUrl(second)).build();
	}

	private WebClient firstClient() {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
	}

	private Answer order(WebClient instance, long userId, String key, long productId, int quantity) {
		return placeAsync(instance, userToken(userId), key, body(productId, quantity)).block(Duration.ofSeconds(30));
	}

	/**
	 * Orders one unit with fresh keys until one is paid, for at most 5 s (the stock-back message is sent
	 * without waiting for it, so it may reach the other instance just after the call that caused it returned).
	 * @return the last answer
	 */
	private Answer eventuallyPaid(WebClient instance, long userId, long productId) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		Answer answer = order(instance, userId, newKey(), productId, 1);
		while (answer.status() == 409 && System.nanoTime() < deadline) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			answer = order(instance, userId, newKey(), productId, 1);
		}
		return answer;
	}

	private boolean hasRedisRecord(long userId, String key) {
		return Boolean.TRUE.equals(this.redis.hasKey(OrderKeys.idempotency(userId, key)).block());
	}

	private long refusalRows(long userId, String key) {
		return OrderFixtures.count(this.db,
				"SELECT COUNT(*) AS n FROM order_refusals WHERE user_id = ? AND idempotency_key = ?", userId, key);
	}

	@Test
	void aSoldOutProductsCrowdIsRefusedFromMemoryOnBothInstancesWithTheFullPathsBytes() {
		WebClient a = firstClient();
		WebClient b = secondClient();
		long productId = ProductFixtures.create(this.client, adminToken(), "Sold out from memory", 1_000, 1);
		List<Long> buyers = OrderFixtures.buyers(this.db, 402, 10_000);
		long winner = buyers.get(0);
		String winnerKey = newKey();
		Answer paid = order(a, winner, winnerKey, productId, 1);
		assertThat(paid.status()).isEqualTo(201);

		// the full path on each instance: the key's record and lock in Redis, a read of the stock at 0
		String fullKeyA = newKey();
		Answer fullA = order(a, buyers.get(1), fullKeyA, productId, 1);
		assertThat(fullA.status()).isEqualTo(409);
		assertThat(hasRedisRecord(buyers.get(1), fullKeyA)).isTrue();
		String fullKeyB = newKey();
		Answer fullB = order(b, buyers.get(2), fullKeyB, productId, 1);
		assertThat(fullB.body()).isEqualTo(fullA.body());

		List<Long> crowd = buyers.subList(3, buyers.size());
		Map<Long, String> keys = new java.util.HashMap<>();
		crowd.forEach((userId) -> keys.put(userId, newKey()));
		var parallel = parallelClient();
		var parallelB = parallel.mutate().baseUrl(SecondInstance.baseUrl(second)).build();
		Map<Long, Answer> answers = Flux.fromIterable(crowd)
			.flatMap((userId) -> placeAsync((userId % 2 == 0) ? parallel : parallelB, userToken(userId), keys.get(userId),
					body(productId, 1))
				.map((answer) -> Map.entry(userId, answer)), 200)
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block(Duration.ofSeconds(60));

		assertThat(answers).hasSize(crowd.size());
		assertThat(answers.values()).allSatisfy((answer) -> {
			assertThat(answer.status()).isEqualTo(409);
			assertThat(answer.body()).isEqualTo(fullA.body());
		});
		// no claim was made: no record of any crowd key in Redis; each one's refusal is its key's answer in MySQL
		assertThat(crowd).noneMatch((userId) -> hasRedisRecord(userId, keys.get(userId)));
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM order_refusals WHERE user_id BETWEEN ? AND ?",
				crowd.get(0), crowd.get(crowd.size() - 1))).isEqualTo(crowd.size());
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id BETWEEN ? AND ?",
				crowd.get(0), crowd.get(crowd.size() - 1))).isZero();

		// the key that bought the last unit is answered its order, also once Redis lost its record
		assertThat(order(b, winner, winnerKey, productId, 1).body()).isEqualTo(paid.body());
		this.redis.delete(OrderKeys.idempotency(winner, winnerKey)).block();
		assertThat(order(a, winner, winnerKey, productId, 1).body()).isEqualTo(paid.body());
		assertThat(order(b, winner, winnerKey, productId, 1).body()).isEqualTo(paid.body());
		// a key refused from memory, sent again with another body: the key is reused
		long someone = crowd.get(0);
		assertThat(order(a, someone, keys.get(someone), productId, 2).status()).isEqualTo(422);
		assertThat(refusalRows(someone, keys.get(someone))).isOne();
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", winner)).isOne();
	}

	@Test
	void stockAnAdminAddsOnOneInstanceIsSoldByTheOtherAndARefusedKeyKeepsItsAnswer() {
		WebClient a = firstClient();
		WebClient b = secondClient();
		long productId = ProductFixtures.create(this.client, adminToken(), "Restocked", 1_000, 0);
		List<Long> buyers = OrderFixtures.buyers(this.db, 4, 10_000);
		assertThat(order(a, buyers.get(0), newKey(), productId, 1).status()).isEqualTo(409);
		assertThat(order(b, buyers.get(0), newKey(), productId, 1).status()).isEqualTo(409);
		String refusedKey = newKey();
		Answer refused = order(b, buyers.get(1), refusedKey, productId, 1);
		assertThat(refused.status()).isEqualTo(409);
		assertThat(hasRedisRecord(buyers.get(1), refusedKey)).as("refused from memory").isFalse();

		// the admin's change goes through A; B is told on the Redis channel
		ProductFixtures.patch(this.client, adminToken(), productId, "{\"stock\":3}").expectStatus().isOk();

		assertThat(eventuallyPaid(b, buyers.get(2), productId).status()).isEqualTo(201);
		assertThat(eventuallyPaid(a, buyers.get(3), productId).status()).isEqualTo(201);
		// the key refused while sold out keeps its answer, now that stock is back
		assertThat(order(b, buyers.get(1), refusedKey, productId, 1).body()).isEqualTo(refused.body());
		assertThat(order(a, buyers.get(1), refusedKey, productId, 1).body()).isEqualTo(refused.body());
		assertThat(OrderFixtures.count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", buyers.get(1))).isZero();
	}

	@Test
	void aReservationGivenBackOnOneInstanceIsSoldByTheOther() {
		WebClient a = firstClient();
		WebClient b = secondClient();
		long productId = ProductFixtures.create(this.client, adminToken(), "Given back", 1_000, 1);
		long holder = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long pendingId = OrderFixtures.pendingOrder(this.client, this.faults, userToken(holder), productId, 1);
		List<Long> buyers = OrderFixtures.buyers(this.db, 2, 10_000);
		assertThat(order(a, buyers.get(0), newKey(), productId, 1).status()).isEqualTo(409);
		String memoryKey = newKey();
		assertThat(order(b, buyers.get(0), memoryKey, productId, 1).status()).isEqualTo(409);
		String memoryKeyB = newKey();
		assertThat(order(b, buyers.get(0), memoryKeyB, productId, 1).status()).isEqualTo(409);
		assertThat(hasRedisRecord(buyers.get(0), memoryKeyB)).as("refused from memory").isFalse();

		// recovery on A refunds the PENDING order and gives its unit back
		assertThat(this.recovery.compensate(pendingId).block(Duration.ofSeconds(30))).isTrue();

		assertThat(eventuallyPaid(b, buyers.get(1), productId).status()).isEqualTo(201);
	}

	@Test
	void aSoldOutProductTakenOffSaleIsAnsweredNotAvailable() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Taken off sale", 1_000, 0);
		List<Long> buyers = OrderFixtures.buyers(this.db, 1, 10_000);
		WebClient a = firstClient();
		assertThat(order(a, buyers.get(0), newKey(), productId, 1).status()).isEqualTo(409);
		String key = newKey();
		assertThat(order(a, buyers.get(0), key, productId, 1).status()).isEqualTo(409);
		assertThat(hasRedisRecord(buyers.get(0), key)).as("refused from memory").isFalse();

		ProductFixtures.patch(this.client, adminToken(), productId, "{\"status\":\"INACTIVE\"}").expectStatus().isOk();

		// forgotten by the change itself on this instance, before the admin's answer left
		Answer answer = order(a, buyers.get(0), newKey(), productId, 1);
		assertThat(answer.status()).isEqualTo(409);
		assertThat(answer.text()).contains("PRODUCT_NOT_AVAILABLE");
	}

	@Test
	void anOrderWithALineNotKnownSoldOutTakesTheFullPath() {
		long soldOutId = ProductFixtures.create(this.client, adminToken(), "Known sold out", 1_000, 0);
		long otherId = ProductFixtures.create(this.client, adminToken(), "Not known", 1_000, 5);
		List<Long> buyers = OrderFixtures.buyers(this.db, 1, 10_000);
		WebClient a = firstClient();
		assertThat(order(a, buyers.get(0), newKey(), soldOutId, 1).status()).isEqualTo(409);
		String key = newKey();
		String twoLines = "{\"items\":[{\"productId\":" + otherId + ",\"quantity\":1},{\"productId\":" + soldOutId
				+ ",\"quantity\":1}]}";

		Answer answer = placeAsync(a, userToken(buyers.get(0)), key, twoLines).block(Duration.ofSeconds(30));

		assertThat(answer.status()).isEqualTo(409);
		assertThat(hasRedisRecord(buyers.get(0), key)).as("the full path claimed the key").isTrue();
	}

	/**
	 * The refusals' group insert looks for orders with their keys while orders are inserted for other keys:
	 * the two lock each other's index gaps in opposite order, and the database breaks such a deadlock by
	 * rolling one back. The loser runs again: every order is still paid, every refusal answered, no 503.
	 */
	@Test
	void refusalsFromMemoryAndOrdersPlacedAtTheSameTimeAllGetTheirAnswer() {
		long soldOutId = ProductFixtures.create(this.client, adminToken(), "Sold out beside a sale", 1_000, 0);
		long onSaleId = ProductFixtures.create(this.client, adminToken(), "On sale beside a sold-out one", 10, 10_000);
		List<Long> buyers = OrderFixtures.buyers(this.db, 600, 10_000);
		WebClient a = firstClient();
		assertThat(order(a, buyers.get(0), newKey(), soldOutId, 1).status()).isEqualTo(409);
		var parallel = parallelClient();

		List<Answer> answers = Flux.range(0, buyers.size())
			.flatMap((i) -> placeAsync(parallel, userToken(buyers.get(i)), newKey(),
					body((i % 2 == 0) ? soldOutId : onSaleId, 1)), 200)
			.collectList()
			.block(Duration.ofSeconds(120));

		assertThat(answers).hasSize(buyers.size());
		assertThat(answers.stream().map(Answer::status).distinct().sorted().toList())
			.as("statuses: %s", answers.stream().filter((answer) -> answer.status() >= 500).map(Answer::text).distinct().toList())
			.containsExactly(201, 409);
		assertThat(answers.stream().filter((answer) -> answer.status() == 201)).hasSize(buyers.size() / 2);
	}

}
