package com.example.flashsale.order;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;

import static com.example.flashsale.product.ProductFixtures.JSON;
import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.count;
import static com.example.flashsale.order.OrderFixtures.durableStock;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * System faults in the middle of an order (docs/flows.md "Order and payment", compensation), injected into the real
 * database connection with {@link DatabaseFaults}: a failure before the commit is compensated at once; a
 * commit whose outcome is unknown answers 202 PENDING and leaves the order to the recovery job.
 */
class OrderFaultTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga",
			"com.example.flashsale.support.problem.ProblemExceptionHandler");

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseFaults faults;

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	private long sellable(long productId) {
		return Long.parseLong(this.redis.opsForValue().get(ProductKeys.stock(productId)).block());
	}

	private String orderStatus(long orderId) {
		return this.db.sql("SELECT status FROM orders WHERE id = ?").bind(0, orderId)
			.map((row) -> row.get("status", String.class)).one().block();
	}

	@Test
	void aFailureAfterTheReservationLeavesStockBalanceAndCouponAsBefore() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Faulty", 4_000, 6);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		String key = newKey();
		this.faults.failStatement("INSERT INTO payments");

		byte[] answer = place(this.client, token, key, body(productId, 2, userCouponId))
			.expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
			.expectHeader().doesNotExist("Retry-After")
			.expectBody().returnResult().getResponseBody();

		assertThat(this.faults.fired()).isOne();
		Map<String, Object> problem = place(this.client, token, key, body(productId, 2, userCouponId))
			.expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
			.expectBody(JSON).returnResult().getResponseBody();
		assertThat(problem).containsEntry("code", "SERVICE_UNAVAILABLE");
		long orderId = ((Number) problem.get("orderId")).longValue();
		assertThat(place(this.client, token, key, body(productId, 2, userCouponId)).expectBody().returnResult()
			.getResponseBody()).as("the failure is replayed as it was").isEqualTo(answer);
		assertThat(orderStatus(orderId)).isEqualTo("FAILED");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE id = ? AND failure_reason = 'SYSTEM_ERROR'", orderId))
			.isOne();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(6);
		assertThat(sellable(productId)).isEqualTo(6);
		assertThat(OrderFixtures.couponStatus(this.db, userCouponId)).isEqualTo("AVAILABLE");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ?", orderId)).isZero();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM order_events WHERE order_id = ?", orderId)).isZero();
		// a new attempt (new key) goes through with the same coupon
		place(this.client, token, newKey(), body(productId, 2, userCouponId)).expectStatus().isCreated()
			.expectBody().jsonPath("$.paidAmount").isEqualTo(7_000);
	}

	@Test
	void aPaymentChosenAsDeadlockVictimIsRunAgainAndPaidOnce() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Deadlocked", 4_000, 6);
		this.faults.deadlock("INSERT INTO order_events");

		Map<String, Object> paid = place(this.client, token, newKey(), body(productId, 1))
			.expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody();

		assertThat(this.faults.fired()).isOne();
		long orderId = ((Number) paid.get("orderId")).longValue();
		assertThat(orderStatus(orderId)).isEqualTo("PAID");
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(16_000);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ?", orderId)).isOne();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM order_events WHERE order_id = ?", orderId)).isOne();
		assertThat(durableStock(this.db, productId)).isEqualTo(5);
		assertThat(sellable(productId)).isEqualTo(5);
	}

	@Test
	void aLostCommitReplyOfARolledBackPaymentAnswers202AndLeavesTheOrderPending() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Unknown outcome", 4_000, 6);
		String key = newKey();
		this.faults.loseCommitReply("INSERT INTO payments", false);

		Map<String, Object> pending = place(this.client, token, key, body(productId, 1))
			.expectStatus().isAccepted()
			.expectBody(JSON).returnResult().getResponseBody();

		assertThat(this.faults.fired()).isOne();
		assertThat(pending).containsEntry("status", "PENDING").containsKey("orderId");
		long orderId = ((Number) pending.get("orderId")).longValue();
		assertThat(orderStatus(orderId)).isEqualTo("PENDING");
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(6);
		// the reservation stays until recovery settles the order: nobody can sell that unit meanwhile
		assertThat(sellable(productId)).isEqualTo(5);
		assertThat(this.redis.hasKey(ProductKeys.reservation(orderId)).block()).isTrue();
		place(this.client, token, key, body(productId, 1)).expectStatus().isAccepted()
			.expectBody().jsonPath("$.orderId").isEqualTo(orderId);
		this.client.get().uri("/api/orders/{id}", orderId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("PENDING");
	}

	@Test
	void aLostCommitReplyOfACommittedPaymentAnswers202AndTheOrderIsPaid() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Committed anyway", 4_000, 6);
		this.faults.loseCommitReply("INSERT INTO payments", true);

		Map<String, Object> pending = place(this.client, token, newKey(), body(productId, 1))
			.expectStatus().isAccepted()
			.expectBody(JSON).returnResult().getResponseBody();

		long orderId = ((Number) pending.get("orderId")).longValue();
		assertThat(orderStatus(orderId)).isEqualTo("PAID");
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(16_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(5);
		assertThat(sellable(productId)).isEqualTo(5);
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void aLostReplyOfTheCommittedPendingOrderStillEndsInAPaidOrder() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Lost reply", 4_000, 6);
		String key = newKey();
		this.faults.loseCommitReply("INSERT INTO orders", true);

		byte[] placed = place(this.client, token, key, body(productId, 1)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();

		assertThat(this.faults.fired()).isOne();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ? AND status = 'PAID'", userId)).isOne();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(16_000);
		assertThat(place(this.client, token, key, body(productId, 1)).expectStatus().isCreated().expectBody().returnResult()
			.getResponseBody()).isEqualTo(placed);
	}

	@Test
	void rowLockWaitsAreBoundedWellBelowTheUserLockLease() {
		assertThat(count(this.db, "SELECT @@SESSION.innodb_lock_wait_timeout AS n")).isEqualTo(3);
	}

	@Test
	void aFailureBeforeTheOrderExistsIs503AndLeavesTheKeyFreeForARetry() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Retried", 4_000, 6);
		String key = newKey();
		this.faults.failStatement("INSERT INTO orders");

		expectProblem(place(this.client, token, key, body(productId, 1)), HttpStatus.SERVICE_UNAVAILABLE,
				"SERVICE_UNAVAILABLE");

		assertThat(this.faults.fired()).isOne();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
		assertThat(sellable(productId)).isEqualTo(6);
		place(this.client, token, key, body(productId, 1)).expectStatus().isCreated().expectBody().returnResult();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(16_000);
	}

}
