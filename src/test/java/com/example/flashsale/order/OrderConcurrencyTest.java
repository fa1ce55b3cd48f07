package com.example.flashsale.order;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.coupon.CouponRedemption;
import com.example.flashsale.order.OrderFixtures.Answer;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.support.problem.ProblemException;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.count;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.placeAsync;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order invariants of docs/invariants.md under real concurrency: thousands of parallel requests
 * over HTTP against the real MySQL/MariaDB and Redis, BlockHound on.
 */
class OrderConcurrencyTest extends IntegrationTest {

	private static final Duration RACE_TIMEOUT = Duration.ofMinutes(2);

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	CouponRedemption coupons;

	@Autowired
	TransactionalOperator transactional;

	@Autowired
	MeterRegistry meters;

	@Test
	void aThousandBuyersOfAHundredUnitsMakeExactlyAHundredPaidOrders() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Hot", 1_000, 100);
		List<Long> buyers = OrderFixtures.buyers(this.db, 1_000, 10_000);
		WebClient parallel = parallelClient();

		List<Answer> answers = Flux.fromIterable(buyers)
			.flatMap((userId) -> placeAsync(parallel, userToken(userId), newKey(), body(productId, 1)), 1_000)
			.collectList()
			.block(RACE_TIMEOUT);

		Map<Integer, Long> statuses = answers.stream().collect(Collectors.groupingBy(Answer::status, Collectors.counting()));
		assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(201, 100L, 409, 900L));
		assertThat(answers.stream().filter((a) -> a.status() == 409)).allMatch((a) -> a.text().contains("INSUFFICIENT_STOCK"));
		assertThat(OrderFixtures.durableStock(this.db, productId)).isZero();
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(productId)).block()).isEqualTo("0");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM order_items i JOIN orders o ON o.id = i.order_id "
				+ "WHERE i.product_id = ? AND o.status = 'PAID'", productId)).isEqualTo(100);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM products WHERE stock < 0")).isZero();
		BalanceFixtures.assertLedgerInvariant(this.db);
		assertPaymentsMatchPaidOrders();
		assertSettled(productId);
	}

	@Test
	void ordersAndChargesOfTheSameUsersRacingKeepEveryLedgerExact() {
		long cheap = ProductFixtures.create(this.client, adminToken(), "Cheap", 700, 100_000);
		long dear = ProductFixtures.create(this.client, adminToken(), "Dear", 2_300, 100_000);
		List<Long> users = OrderFixtures.buyers(this.db, 25, 20_000);
		WebClient parallel = parallelClient();
		List<Mono<Integer>> requests = new ArrayList<>();
		for (long userId : users) {
			String token = userToken(userId);
			for (int i = 0; i < 40; i++) {
				long productId = (i % 2 == 0) ? cheap : dear;
				int quantity = 1 + (i % 3);
				requests.add(placeAsync(parallel, token, newKey(), body(productId, quantity)).map(Answer::status));
				requests.add(status(parallel.post().uri("/api/balance/charge").headers((h) -> h.setBearerAuth(token))
					.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\":1000}")));
			}
		}
		Collections.shuffle(requests);

		List<Integer> statuses = Flux.fromIterable(requests).flatMap((request) -> request, 1_000).collectList()
			.block(RACE_TIMEOUT);

		assertThat(statuses).as("orders 201/402/409, charges 200/409").allMatch((s) -> s == 200 || s == 201 || s == 402 || s == 409);
		assertThat(statuses).contains(201, 200);
		BalanceFixtures.assertLedgerInvariant(this.db);
		assertPaymentsMatchPaidOrders();
		long sold = count(this.db, "SELECT CAST(COALESCE(SUM(i.quantity), 0) AS SIGNED) AS n FROM order_items i "
				+ "JOIN orders o ON o.id = i.order_id WHERE i.product_id IN (?, ?) AND o.status = 'PAID'", cheap, dear);
		assertThat(OrderFixtures.durableStock(this.db, cheap) + OrderFixtures.durableStock(this.db, dear)).isEqualTo(200_000 - sold);
		assertSettled(cheap, dear);
	}

	@Test
	void ofTwentyTransactionsUsingOneCouponExactlyOneSucceeds() {
		long owner = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
		long userCouponId = OrderFixtures.issueCoupon(this.client, userToken(owner),
				CouponFixtures.openEvent(this.client, adminToken(), 5));
		// no user lock here: only the conditional update stands between the coupon and a second use
		List<String> outcomes = Flux.range(1, 20)
			.flatMap((i) -> this.coupons.use(owner, userCouponId, 1_000_000L + i, Instant.now())
				.as(this.transactional::transactional)
				.thenReturn("used")
				.onErrorResume(ProblemException.class, (ex) -> Mono.just(ex.code().name())), 20)
			.collectList()
			.block(RACE_TIMEOUT);
		assertThat(outcomes).containsOnlyOnce("used");
		assertThat(outcomes.stream().filter("INVALID_COUPON"::equals)).hasSize(19);
		assertThat(OrderFixtures.couponStatus(this.db, userCouponId)).isEqualTo("USED");
	}

	@Test
	void twentyParallelOrdersWithOneCouponDiscountExactlyOnce() {
		long owner = OrderFixtures.buyer(this.client, adminToken(), this.db, 100_000);
		String token = userToken(owner);
		long productId = ProductFixtures.create(this.client, adminToken(), "Discounted", 5_000, 100);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		WebClient parallel = parallelClient();

		List<Answer> answers = Flux.range(0, 20)
			.flatMap((i) -> placeAsync(parallel, token, newKey(), body(productId, 1, userCouponId)), 20)
			.collectList()
			.block(RACE_TIMEOUT);

		assertThat(answers.stream().filter((a) -> a.status() == 201)).hasSize(1)
			.allMatch((a) -> a.text().contains("\"discountAmount\":1000"));
		assertThat(answers).allMatch((a) -> a.status() == 201 || (a.status() == 409 && a.text().contains("REQUEST_IN_PROGRESS"))
				|| (a.status() == 400 && a.text().contains("INVALID_COUPON")));
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_coupon_id = ? AND status = 'PAID'", userCouponId))
			.isOne();
		assertThat(OrderFixtures.couponStatus(this.db, userCouponId)).isEqualTo("USED");
		assertThat(BalanceFixtures.balance(this.db, owner)).isEqualTo(96_000);
	}

	@Test
	void aHundredParallelSubmissionsOfOneKeyMakeOneOrder() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 100_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Once", 1_500, 100);
		String key = newKey();
		WebClient parallel = parallelClient();

		List<Answer> answers = Flux.range(0, 100)
			.flatMap((i) -> placeAsync(parallel, token, key, body(productId, 2)), 100)
			.collectList()
			.block(RACE_TIMEOUT);

		List<Answer> created = answers.stream().filter((a) -> a.status() == 201).toList();
		assertThat(created).isNotEmpty();
		assertThat(created).allMatch((a) -> a.text().equals(created.get(0).text()));
		assertThat(answers).allMatch((a) -> a.status() == 201 || (a.status() == 409 && a.text().contains("REQUEST_IN_PROGRESS")));
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(97_000);
		for (int i = 0; i < 3; i++) {
			Answer replay = placeAsync(parallel, token, key, body(productId, 2)).block(RACE_TIMEOUT);
			assertThat(replay.status()).isEqualTo(201);
			assertThat(replay.body()).isEqualTo(created.get(0).body());
		}
	}

	@Test
	void ordersOfTheSameProductsInOppositeOrdersNeverDeadlock() {
		long a = ProductFixtures.create(this.client, adminToken(), "A", 100, 100_000);
		long b = ProductFixtures.create(this.client, adminToken(), "B", 100, 100_000);
		long c = ProductFixtures.create(this.client, adminToken(), "C", 100, 100_000);
		List<Long> buyers = OrderFixtures.buyers(this.db, 300, 10_000);
		WebClient parallel = parallelClient();
		String[] orders = { lines(a, b, c), lines(c, b, a), lines(b, c, a) };

		List<Answer> answers = Flux.range(0, buyers.size())
			.flatMap((i) -> placeAsync(parallel, userToken(buyers.get(i)), newKey(), orders[i % 3]), 300)
			.collectList()
			.block(RACE_TIMEOUT);

		assertThat(answers).allSatisfy((answer) -> assertThat(answer.status()).as(answer.text()).isEqualTo(201));
		assertThat(answers).allMatch((answer) -> answer.text().indexOf("\"productId\":" + a) < answer.text()
			.indexOf("\"productId\":" + c), "items by product id");
		assertThat(OrderFixtures.durableStock(this.db, a)).isEqualTo(100_000 - 300);
		assertThat(OrderFixtures.durableStock(this.db, c)).isEqualTo(100_000 - 300);
	}

	@Test
	void ordersPaidInGroupsEachGetTheirOwnAnswer() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Grouped", 1_500, 100_000);
		List<Long> funded = OrderFixtures.buyers(this.db, 600, 10_000);
		List<Long> poor = OrderFixtures.buyers(this.db, 200, 500);
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 50);
		Map<Long, Long> couponOf = new HashMap<>();
		for (long userId : funded.subList(0, 50)) {
			couponOf.put(userId, OrderFixtures.issueCoupon(this.client, userToken(userId), couponId));
		}
		List<Long> everyone = new ArrayList<>(funded);
		everyone.addAll(poor);
		Collections.shuffle(everyone);
		double pendingBefore = groupOrders("pending", "committed");
		double paidBefore = groupOrders("payment", "committed");
		double rolledBackBefore = groupOrders("payment", "rolled-back");
		WebClient parallel = parallelClient();

		Map<Long, Answer> answers = answersOf(everyone, 800, (userId) -> placeAsync(parallel, userToken(userId), newKey(),
				couponOf.containsKey(userId) ? body(productId, 1, couponOf.get(userId)) : body(productId, 1)));

		for (long userId : funded) {
			Answer answer = answers.get(userId);
			assertThat(answer.status()).as(answer.text()).isEqualTo(201);
			assertThat(answer.text()).contains(couponOf.containsKey(userId) ? "\"paidAmount\":500" : "\"paidAmount\":1500");
			assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(couponOf.containsKey(userId) ? 9_500 : 8_500);
		}
		for (long userId : poor) {
			Answer answer = answers.get(userId);
			assertThat(answer.status()).as(answer.text()).isEqualTo(402);
			assertThat(answer.text()).contains("INSUFFICIENT_BALANCE");
			assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(500);
		}
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ? AND status = 'USED'", couponId))
			.isEqualTo(50);
		assertThat(OrderFixtures.durableStock(this.db, productId)).isEqualTo(100_000 - 600);
		BalanceFixtures.assertLedgerInvariant(this.db);
		assertPaymentsMatchPaidOrders();
		assertSettled(productId);
		// the race went through the groups: some inserted or paid several orders in one transaction, and some
		// payment groups rolled back (a poor buyer's check failed) and had each of their orders paid alone
		assertThat(groupOrders("pending", "committed") - pendingBefore).as("orders inserted in committed groups").isGreaterThan(0);
		assertThat(groupMax("pending", "committed")).as("largest committed PENDING group").isGreaterThan(1);
		assertThat(groupOrders("payment", "committed") - paidBefore).as("orders paid in committed groups").isGreaterThan(0);
		assertThat(groupMax("payment", "committed")).as("largest committed payment group").isGreaterThan(1);
		assertThat(groupOrders("payment", "rolled-back") - rolledBackBefore).as("orders of rolled-back groups").isGreaterThan(0);
	}

	/**
	 * Keys whose Redis records were lost, replayed in a crowd of new orders: a key with an order fails its
	 * PENDING group on the unique key (every order of that group is then inserted alone), a key with a
	 * refusal gets no row in its group; each answers what it answered first.
	 */
	@Test
	void replaysOfLostRecordsInACrowdOfNewOrdersAnswerWhatTheyAnsweredFirst() {
		long soldOut = ProductFixtures.create(this.client, adminToken(), "Refused, then restocked", 1_000, 0);
		long onSale = ProductFixtures.create(this.client, adminToken(), "Paid before", 1_000, 1_000);
		List<Long> refused = OrderFixtures.buyers(this.db, 100, 10_000);
		List<Long> paid = OrderFixtures.buyers(this.db, 100, 10_000);
		List<Long> fresh = OrderFixtures.buyers(this.db, 300, 10_000);
		Map<Long, String> keys = new HashMap<>();
		Map<Long, String> bodies = new HashMap<>();
		refused.forEach((userId) -> bodies.put(userId, body(soldOut, 1)));
		paid.forEach((userId) -> bodies.put(userId, body(onSale, 1)));
		fresh.forEach((userId) -> bodies.put(userId, body(soldOut, 1)));
		bodies.keySet().forEach((userId) -> keys.put(userId, newKey()));
		WebClient parallel = parallelClient();
		List<Long> before = new ArrayList<>(refused);
		before.addAll(paid);
		Function<Long, Mono<Answer>> place = (userId) -> placeAsync(parallel, userToken(userId), keys.get(userId),
				bodies.get(userId));
		Map<Long, Answer> first = answersOf(before, 200, place);
		refused.forEach((userId) -> assertThat(first.get(userId).status()).isEqualTo(409));
		paid.forEach((userId) -> assertThat(first.get(userId).status()).isEqualTo(201));
		before.forEach((userId) -> this.redis.delete(OrderKeys.idempotency(userId, keys.get(userId))).block());
		ProductFixtures.patch(this.client, adminToken(), soldOut, "{\"stock\":1000}").expectStatus().isOk();
		double rolledBackBefore = groupOrders("pending", "rolled-back");
		List<Long> everyone = new ArrayList<>(before);
		everyone.addAll(fresh);
		Collections.shuffle(everyone);

		Map<Long, Answer> answers = answersOf(everyone, 500, place);

		before.forEach((userId) -> assertThat(answers.get(userId).text()).isEqualTo(first.get(userId).text()));
		fresh.forEach((userId) -> assertThat(answers.get(userId).status()).as(answers.get(userId).text()).isEqualTo(201));
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id BETWEEN ? AND ?", refused.get(0),
				refused.get(refused.size() - 1))).isZero();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id BETWEEN ? AND ? AND status = 'PAID'",
				paid.get(0), paid.get(paid.size() - 1))).isEqualTo(100);
		assertThat(OrderFixtures.durableStock(this.db, soldOut)).isEqualTo(1_000 - 300);
		assertThat(OrderFixtures.durableStock(this.db, onSale)).isEqualTo(1_000 - 100);
		BalanceFixtures.assertLedgerInvariant(this.db);
		assertPaymentsMatchPaidOrders();
		assertSettled(soldOut, onSale);
		assertThat(groupOrders("pending", "rolled-back") - rolledBackBefore).as("orders of rolled-back PENDING groups")
			.isGreaterThan(0);
	}

	/** Each user's answer to {@code place}, {@code concurrency} users at once. */
	private static Map<Long, Answer> answersOf(List<Long> users, int concurrency, Function<Long, Mono<Answer>> place) {
		return Flux.fromIterable(users)
			.flatMap((userId) -> place.apply(userId).map((answer) -> Map.entry(userId, answer)), concurrency)
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.block(RACE_TIMEOUT);
	}

	private double groupOrders(String stage, String outcome) {
		DistributionSummary groups = groups(stage, outcome);
		return (groups != null) ? groups.totalAmount() : 0;
	}

	private double groupMax(String stage, String outcome) {
		DistributionSummary groups = groups(stage, outcome);
		return (groups != null) ? groups.max() : 0;
	}

	/** The {@code orders.group} summary of {@code stage} and {@code outcome}; null before its first group. */
	private DistributionSummary groups(String stage, String outcome) {
		return this.meters.find("orders.group").tag("stage", stage).tag("outcome", outcome).summary();
	}

	private static String lines(long... productIds) {
		StringBuilder json = new StringBuilder("{\"items\":[");
		for (int i = 0; i < productIds.length; i++) {
			json.append((i > 0) ? "," : "").append("{\"productId\":").append(productIds[i]).append(",\"quantity\":1}");
		}
		return json.append("]}").toString();
	}

	/**
	 * After a race: no order of these products is left PENDING or holding a reservation, and each product's
	 * sellable stock in Redis equals its durable stock in MySQL.
	 */
	private void assertSettled(long... productIds) {
		for (long productId : productIds) {
			assertThat(this.redis.opsForValue().get(ProductKeys.stock(productId)).block())
				.as("sellable stock of product %d", productId)
				.isEqualTo(Long.toString(OrderFixtures.durableStock(this.db, productId)));
			List<Long> orderIds = this.db.sql("SELECT DISTINCT order_id FROM order_items WHERE product_id = ?")
				.bind(0, productId).map((row) -> row.get("order_id", Long.class)).all().collectList().block();
			assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders o JOIN order_items i ON i.order_id = o.id "
					+ "WHERE i.product_id = ? AND o.status = 'PENDING'", productId)).as("PENDING orders").isZero();
			assertThat(Flux.fromIterable(orderIds).flatMap((id) -> this.redis.hasKey(ProductKeys.reservation(id)))
				.filter(Boolean::booleanValue).count().block()).as("reservations left").isZero();
		}
	}

	/**
	 * Every PAID order has exactly one PAYMENT row equal to its paid amount; any other order with a PAYMENT
	 * row (one the recovery job canceled after its payment committed) has a REFUND of the same amount.
	 */
	private void assertPaymentsMatchPaidOrders() {
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'PAID' AND (SELECT COUNT(*) "
				+ "FROM balance_transactions b WHERE b.order_id = o.id AND b.type = 'PAYMENT' AND b.amount = -o.paid_amount) <> 1"))
			.as("PAID orders without exactly one matching PAYMENT row").isZero();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions b JOIN orders o ON o.id = b.order_id "
				+ "WHERE b.type = 'PAYMENT' AND b.amount < 0 AND o.status <> 'PAID' AND NOT EXISTS (SELECT 1 FROM "
				+ "balance_transactions r WHERE r.order_id = o.id AND r.type = 'REFUND' AND r.amount = -b.amount)"))
			.as("PAYMENT rows of orders that are not PAID, not refunded").isZero();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'PAID' AND (SELECT COUNT(*) "
				+ "FROM payments p WHERE p.order_id = o.id AND p.amount = o.paid_amount) <> 1"))
			.as("PAID orders without their payment row").isZero();
	}

}
