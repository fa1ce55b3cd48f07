package com.example.flashsale.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.count;
import static com.example.flashsale.order.OrderFixtures.couponStatus;
import static com.example.flashsale.order.OrderFixtures.durableStock;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static com.example.flashsale.product.ProductFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pending-order recovery job (docs/flows.md "Recovery of pending orders"), against the real
 * database and Redis: what it gives back, that it does so exactly once with concurrent runs and injected
 * faults, and that it leaves young orders alone.
 */
class PendingOrderRecoveryTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga");

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

	private long sellable(long productId) {
		return Long.parseLong(this.redis.opsForValue().get(ProductKeys.stock(productId)).block());
	}

	private Map<String, Object> order(long orderId) {
		return this.db.sql("SELECT status, failure_reason FROM orders WHERE id = ?").bind(0, orderId)
			.fetch().one().block();
	}

	/**
	 * Seed 004 4-5 as drawn: the payment committed (money, coupon and stock moved) but the order stayed
	 * PENDING. Made from a paid order by setting its status back.
	 */
	private long paidButPendingOrder(String token, long productId, int quantity, long userCouponId) {
		Map<String, Object> paid = place(this.client, token, newKey(), body(productId, quantity, userCouponId))
			.expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
		long orderId = ((Number) paid.get("orderId")).longValue();
		this.db.sql("UPDATE orders SET status = 'PENDING' WHERE id = ?").bind(0, orderId).then().block();
		return orderId;
	}

	@Test
	void aPendingOrderWhosePaymentRolledBackGetsItsReservationBackAndIsCanceled() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Recovered", 3_000, 5);
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 2);
		assertThat(sellable(productId)).isEqualTo(3);

		this.recovery.recover(Duration.ofMinutes(1)).block();
		assertThat(order(orderId)).as("a young order is left alone").containsEntry("status", "PENDING");

		OrderFixtures.age(this.db, orderId);
		assertThat(this.recovery.compensate(orderId).block()).isTrue();

		assertThat(order(orderId)).containsEntry("status", "CANCELED")
			.containsEntry("failure_reason", PendingOrderRecovery.REASON);
		assertThat(sellable(productId)).as("the reservation is given back").isEqualTo(5);
		assertThat(durableStock(this.db, productId)).as("MySQL stock never moved").isEqualTo(5);
		assertThat(this.redis.hasKey(ProductKeys.reservation(orderId)).block()).isFalse();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ?", orderId))
			.as("no money moved, so no REFUND row").isZero();
		assertThat(this.recovery.compensate(orderId).block()).as("a second run does nothing").isFalse();
		assertThat(sellable(productId)).isEqualTo(5);
		this.client.get().uri("/api/orders/{id}", orderId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("CANCELED");
	}

	@Test
	void aPendingOrderWhosePaymentCommittedIsRefundedAndEverythingGoesBack() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Refunded", 4_000, 5);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		long orderId = paidButPendingOrder(token, productId, 2, userCouponId);
		long paid = BalanceFixtures.balance(this.db, userId);
		assertThat(paid).isLessThan(20_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(3);
		assertThat(couponStatus(this.db, userCouponId)).isEqualTo("USED");

		OrderFixtures.age(this.db, orderId);
		assertThat(this.recovery.recover(Duration.ofMinutes(1)).block()).isPositive();

		assertThat(order(orderId)).containsEntry("status", "CANCELED");
		assertThat(BalanceFixtures.balance(this.db, userId)).as("refunded").isEqualTo(20_000);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'REFUND' "
				+ "AND amount = ?", orderId, 20_000 - paid)).isOne();
		assertThat(durableStock(this.db, productId)).isEqualTo(5);
		assertThat(sellable(productId)).isEqualTo(5);
		assertThat(couponStatus(this.db, userCouponId)).isEqualTo("AVAILABLE");
		assertThat(this.recovery.compensate(orderId).block()).isFalse();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'REFUND'",
				orderId)).as("refunded once").isOne();
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void aFaultMidCompensationRollsItBackAndTheNextRunFinishesItOnce() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Fault in recovery", 4_000, 5);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		long orderId = paidButPendingOrder(token, productId, 1, userCouponId);
		OrderFixtures.age(this.db, orderId);

		this.faults.failStatement("UPDATE orders SET status = 'CANCELED'");
		assertThat(this.recovery.compensate(orderId).onErrorReturn(false).block()).isFalse();
		assertThat(this.faults.fired()).isOne();
		assertThat(order(orderId)).containsEntry("status", "PENDING");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'REFUND'",
				orderId)).as("the refund rolled back with the rest").isZero();
		assertThat(couponStatus(this.db, userCouponId)).isEqualTo("USED");
		assertThat(durableStock(this.db, productId)).isEqualTo(4);

		this.faults.loseCommitReply("UPDATE orders SET status = 'CANCELED'", true);
		this.recovery.compensate(orderId).onErrorReturn(false).block();
		assertThat(order(orderId)).as("the commit happened though its reply was lost").containsEntry("status", "CANCELED");
		assertThat(this.recovery.compensate(orderId).block()).isFalse();

		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'REFUND'",
				orderId)).isOne();
		assertThat(durableStock(this.db, productId)).isEqualTo(5);
		assertThat(couponStatus(this.db, userCouponId)).isEqualTo("AVAILABLE");
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void concurrentRunsCompensateEachOrderExactlyOnce() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Recovered in parallel", 1_000, 200);
		List<Long> pendingIds = new ArrayList<>();
		List<Long> refundedIds = new ArrayList<>();
		List<Long> users = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
			users.add(userId);
			String token = userToken(userId);
			if (i % 2 == 0) {
				pendingIds.add(OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1));
			}
			else {
				long userCouponId = OrderFixtures.issueCoupon(this.client, token,
						CouponFixtures.openEvent(this.client, adminToken(), 1));
				refundedIds.add(paidButPendingOrder(token, productId, 2, userCouponId));
			}
		}
		List<Long> all = new ArrayList<>(pendingIds);
		all.addAll(refundedIds);
		all.forEach((orderId) -> OrderFixtures.age(this.db, orderId));

		// four runs at once, as four instances would (without the job lock that normally spaces them)
		Long canceled = Flux.range(0, 4)
			.flatMap((run) -> Flux.fromIterable(all).concatMap(this.recovery::compensate).subscribeOn(Schedulers.parallel()))
			.filter(Boolean::booleanValue)
			.count()
			.block();

		assertThat(canceled).as("compensations that won").isEqualTo(all.size());
		for (long orderId : all) {
			assertThat(order(orderId)).containsEntry("status", "CANCELED");
		}
		for (long orderId : refundedIds) {
			assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'REFUND'",
					orderId)).isOne();
		}
		for (long userId : users) {
			assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(10_000);
		}
		assertThat(durableStock(this.db, productId)).isEqualTo(200);
		assertThat(sellable(productId)).isEqualTo(200);
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

}
