package com.example.flashsale.order;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;

import static com.example.flashsale.product.ProductFixtures.JSON;
import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.count;
import static com.example.flashsale.order.OrderFixtures.durableStock;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/orders} and {@code GET /api/orders/{id}} one request at a time (docs/api.md "Orders"). */
class OrderApiTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	private long sellable(long productId) {
		return Long.parseLong(this.redis.opsForValue().get(ProductKeys.stock(productId)).block());
	}

	@Test
	void aPaidOrderMovesMoneyStockAndCouponTogether() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 50_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Paid", 3_000, 10);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));

		Map<String, Object> placed = place(this.client, token, newKey(), body(productId, 2, userCouponId))
			.expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody();

		long orderId = ((Number) placed.get("orderId")).longValue();
		assertThat(placed).containsEntry("status", "PAID").containsEntry("totalAmount", 6_000)
			.containsEntry("discountAmount", 1_000).containsEntry("paidAmount", 5_000);
		assertThat(placed.get("items")).isEqualTo(java.util.List.of(Map.of("productId", (int) productId, "quantity", 2, "unitPrice", 3_000)));
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(45_000);
		assertThat(count(this.db, "SELECT amount AS n FROM balance_transactions WHERE order_id = ? AND type = 'PAYMENT'", orderId))
			.isEqualTo(-5_000);
		assertThat(count(this.db, "SELECT amount AS n FROM payments WHERE order_id = ?", orderId)).isEqualTo(5_000);
		// one event, written with the payment; the relay (polling every 100 ms in tests) may have sent it already
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM order_events WHERE order_id = ? AND status IN ('PENDING', 'SENT')",
				orderId)).isOne();
		assertThat(count(this.db, "SELECT order_id AS n FROM user_coupons WHERE id = ? AND status = 'USED' AND used_at IS NOT NULL",
				userCouponId)).isEqualTo(orderId);
		assertThat(durableStock(this.db, productId)).isEqualTo(8);
		assertThat(sellable(productId)).isEqualTo(8);
		assertThat(this.redis.hasKey(com.example.flashsale.product.ProductKeys.reservation(orderId)).block()).isFalse();
		BalanceFixtures.assertLedgerInvariant(this.db);

		this.client.get().uri("/api/orders/{id}", orderId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("PAID")
			.jsonPath("$.paidAmount").isEqualTo(5_000)
			.jsonPath("$.userCouponId").isEqualTo(userCouponId)
			.jsonPath("$.items[0].unitPrice").isEqualTo(3_000)
			.jsonPath("$.createdAt").isNotEmpty();
		// the catalogue shows the new stock at once: the order evicted the cached product
		this.client.get().uri("/api/products/{id}", productId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.stock").isEqualTo(8);
	}

	@Test
	void aReplayAnswersTheSameBytesAndCreatesNothing() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Replayed", 1_000, 5);
		String key = newKey();
		byte[] first = place(this.client, token, key, body(productId, 1)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		// the same request with other whitespace is the same request
		byte[] replay = place(this.client, token, key, "{ \"items\" : [ {\"quantity\":1, \"productId\":" + productId + "} ] }")
			.expectStatus().isCreated().expectBody().returnResult().getResponseBody();

		assertThat(replay).isEqualTo(first);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(9_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(4);

		// Redis lost its record (a restart without persistence): the database's unique key still decides
		this.redis.delete(OrderKeys.idempotency(userId, key)).block();
		byte[] afterRestart = place(this.client, token, key, body(productId, 1)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		assertThat(afterRestart).isEqualTo(first);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
		assertThat(durableStock(this.db, productId)).isEqualTo(4);
		assertThat(sellable(productId)).isEqualTo(4);
	}

	@Test
	void aReplayAfterRedisLostTheRecordIsTheOrderEvenWhenItsCouponIsUsedAndItsStockSold() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Last one", 2_000, 1);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		String key = newKey();
		byte[] first = place(this.client, token, key, body(productId, 1, userCouponId)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		this.redis.delete(OrderKeys.idempotency(userId, key)).block();

		// the coupon is used and the stock is gone now, yet the key's answer is still its paid order
		byte[] replay = place(this.client, token, key, body(productId, 1, userCouponId)).expectStatus().isCreated()
			.expectBody().returnResult().getResponseBody();
		assertThat(replay).isEqualTo(first);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
	}

	@Test
	void keysAreCaseSensitiveLikeRedis() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Cased", 1_000, 5);
		String key = newKey();
		place(this.client, token, key + "-Ab", body(productId, 1)).expectStatus().isCreated().expectBody().returnResult();
		place(this.client, token, key + "-aB", body(productId, 1)).expectStatus().isCreated().expectBody().returnResult();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isEqualTo(2);
		expectProblem(place(this.client, token, "with space", body(productId, 1)), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void theSameKeyWithAnotherBodyIs422AndChangesNothing() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Reused", 1_000, 5);
		String key = newKey();
		place(this.client, token, key, body(productId, 1)).expectStatus().isCreated().expectBody().returnResult();

		expectProblem(place(this.client, token, key, body(productId, 2)), HttpStatus.UNPROCESSABLE_CONTENT,
				"IDEMPOTENCY_KEY_REUSED");
		this.redis.delete(OrderKeys.idempotency(userId, key)).block();
		expectProblem(place(this.client, token, key, body(productId, 2)), HttpStatus.UNPROCESSABLE_CONTENT,
				"IDEMPOTENCY_KEY_REUSED");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isOne();
		assertThat(durableStock(this.db, productId)).isEqualTo(4);
		// keys are per user: another user may use the same key
		long other = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		place(this.client, userToken(other), key, body(productId, 2)).expectStatus().isCreated().expectBody().returnResult();
	}

	@Test
	void badInputIs400AndChangesNothing() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Guarded", 1_000, 5);
		String line = "{\"productId\":" + productId + ",\"quantity\":1}";
		expectProblem(place(this.client, token, null, body(productId, 1)), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		expectProblem(place(this.client, token, "", body(productId, 1)), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		expectProblem(place(this.client, token, "k".repeat(256), body(productId, 1)), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		String[] bodies = { "{}", "{\"items\":[]}", "{\"items\":null}", body(productId, 0), body(productId, 101),
				body(productId, -1), body(-5, 1), body(0, 1), "{\"items\":[" + line + "," + line + "]}",
				"{\"items\":[{\"productId\":" + productId + ",\"quantity\":\"1\"}]}",
				"{\"items\":[{\"productId\":" + productId + ",\"quantity\":1.5}]}",
				"{\"items\":[{\"productId\":" + productId + "}]}", "{\"items\":[null]}", "[]", "not json",
				"{\"items\":[" + line + "],\"userCouponId\":0}",
				"{\"items\":[{\"productId\":" + productId + ",\"quantity\":99999999999}]}",
				"{\"items\":[" + ("{\"productId\":1,\"quantity\":1},".repeat(51)) + line + "]}" };
		for (String json : bodies) {
			expectProblem(place(this.client, token, newKey(), json), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		}
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
		assertThat(sellable(productId)).isEqualTo(5);
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(10_000);
	}

	@Test
	void unknownAndInactiveProductsAreRefusedBeforeAnythingIsReserved() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Retired", 1_000, 5);
		ProductFixtures.patch(this.client, adminToken(), productId, "{\"status\":\"INACTIVE\"}").expectStatus().isOk()
			.expectBody().returnResult();
		expectProblem(place(this.client, token, newKey(), body(Long.MAX_VALUE - 1, 1)), HttpStatus.NOT_FOUND,
				"PRODUCT_NOT_FOUND");
		expectProblem(place(this.client, token, newKey(), body(productId, 1)), HttpStatus.CONFLICT, "PRODUCT_NOT_AVAILABLE");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
		assertThat(sellable(productId)).isEqualTo(5);
	}

	@Test
	void insufficientBalanceIs402TheOrderFailsAndStockAndCouponAreAsBefore() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 1_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Dear", 5_000, 3);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		String key = newKey();

		Map<String, Object> problem = place(this.client, token, key, body(productId, 1, userCouponId))
			.expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
			.expectBody(JSON).returnResult().getResponseBody();

		assertThat(problem).containsEntry("code", "INSUFFICIENT_BALANCE");
		long orderId = ((Number) problem.get("orderId")).longValue();
		this.client.get().uri("/api/orders/{id}", orderId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().isOk().expectBody()
			.jsonPath("$.status").isEqualTo("FAILED")
			.jsonPath("$.failureReason").isEqualTo("INSUFFICIENT_BALANCE")
			.jsonPath("$.paidAmount").isEqualTo(0);
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(1_000);
		assertThat(durableStock(this.db, productId)).isEqualTo(3);
		assertThat(sellable(productId)).isEqualTo(3);
		assertThat(OrderFixtures.couponStatus(this.db, userCouponId)).isEqualTo("AVAILABLE");
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM order_events WHERE order_id = ?", orderId)).isZero();
		// the failure is the key's answer: replayed as it was
		expectProblem(place(this.client, token, key, body(productId, 1, userCouponId)), HttpStatus.PAYMENT_REQUIRED,
				"INSUFFICIENT_BALANCE");
	}

	@Test
	void aCouponThatIsNotTheCallersOrIsUsedIs400InvalidCoupon() {
		long owner = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long thief = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long productId = ProductFixtures.create(this.client, adminToken(), "Couponed", 2_000, 5);
		long userCouponId = OrderFixtures.issueCoupon(this.client, userToken(owner),
				CouponFixtures.openEvent(this.client, adminToken(), 5));

		expectProblem(place(this.client, userToken(thief), newKey(), body(productId, 1, userCouponId)),
				HttpStatus.BAD_REQUEST, "INVALID_COUPON");
		expectProblem(place(this.client, userToken(owner), newKey(), body(productId, 1, Long.MAX_VALUE - 7)),
				HttpStatus.BAD_REQUEST, "INVALID_COUPON");
		place(this.client, userToken(owner), newKey(), body(productId, 1, userCouponId)).expectStatus().isCreated()
			.expectBody().jsonPath("$.discountAmount").isEqualTo(1_000);
		expectProblem(place(this.client, userToken(owner), newKey(), body(productId, 1, userCouponId)),
				HttpStatus.BAD_REQUEST, "INVALID_COUPON");
		assertThat(BalanceFixtures.balance(this.db, thief)).isEqualTo(10_000);
		assertThat(BalanceFixtures.balance(this.db, owner)).isEqualTo(9_000);
		assertThat(sellable(productId)).isEqualTo(4);
	}

	@Test
	void aCouponLargerThanTheTotalMakesTheOrderFreeWithAZeroPaymentRow() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Free", 400, 5);
		long userCouponId = OrderFixtures.issueCoupon(this.client, token, CouponFixtures.openEvent(this.client, adminToken(), 5));
		Map<String, Object> placed = place(this.client, token, newKey(), body(productId, 2, userCouponId))
			.expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
		assertThat(placed).containsEntry("totalAmount", 800).containsEntry("discountAmount", 800).containsEntry("paidAmount", 0);
		long orderId = ((Number) placed.get("orderId")).longValue();
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM balance_transactions WHERE order_id = ? AND type = 'PAYMENT' "
				+ "AND amount = 0", orderId)).isOne();
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void tooLittleStockIs409AndTakesNothing() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 100_000);
		String token = userToken(userId);
		long plenty = ProductFixtures.create(this.client, adminToken(), "Plenty", 100, 50);
		long scarce = ProductFixtures.create(this.client, adminToken(), "Scarce", 100, 2);
		String both = "{\"items\":[{\"productId\":" + plenty + ",\"quantity\":5},{\"productId\":" + scarce
				+ ",\"quantity\":3}]}";
		expectProblem(place(this.client, token, newKey(), both), HttpStatus.CONFLICT, "INSUFFICIENT_STOCK");
		assertThat(sellable(plenty)).isEqualTo(50);
		assertThat(sellable(scarce)).isEqualTo(2);
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(100_000);
		assertThat(count(this.db, "SELECT COUNT(*) AS n FROM orders WHERE user_id = ?", userId)).isZero();
	}

	@Test
	void aStockKeyRedisLostIsReloadedFromMySql() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long productId = ProductFixtures.create(this.client, adminToken(), "Forgotten", 1_000, 3);
		this.redis.delete(ProductKeys.stock(productId)).block();
		place(this.client, userToken(userId), newKey(), body(productId, 1)).expectStatus().isCreated().expectBody().returnResult();
		assertThat(sellable(productId)).isEqualTo(2);
		assertThat(durableStock(this.db, productId)).isEqualTo(2);
	}

	@Test
	void anAccountlessUserIs404AndAnotherUsersOrderIs404() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Private", 1_000, 3);
		expectProblem(place(this.client, userToken(CouponFixtures.freshUsers(1)), newKey(), body(productId, 1)),
				HttpStatus.NOT_FOUND, "USER_NOT_FOUND");
		assertThat(sellable(productId)).isEqualTo(3);

		long buyer = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long orderId = ((Number) place(this.client, userToken(buyer), newKey(), body(productId, 1)).expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody().get("orderId")).longValue();
		long other = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
		expectProblem(this.client.get().uri("/api/orders/{id}", orderId).headers((h) -> h.setBearerAuth(userToken(other)))
			.exchange(), HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/orders/{id}", Long.MAX_VALUE).headers((h) -> h.setBearerAuth(userToken(buyer)))
			.exchange(), HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/orders/abc").headers((h) -> h.setBearerAuth(userToken(buyer)))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void operatorsReadAProductsSales() {
		long buyer = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long productId = ProductFixtures.create(this.client, adminToken(), "Counted", 1_000, 9);
		place(this.client, userToken(buyer), newKey(), body(productId, 4)).expectStatus().isCreated().expectBody().returnResult();
		this.client.get().uri("/api/admin/products/{id}/sales", productId).headers((h) -> h.setBearerAuth(adminToken()))
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.productId").isEqualTo(productId)
			.jsonPath("$.stock").isEqualTo(5)
			.jsonPath("$.sellableStock").isEqualTo(5)
			.jsonPath("$.paidOrders").isEqualTo(1)
			.jsonPath("$.paidQuantity").isEqualTo(4)
			.jsonPath("$.pendingOrders").isEqualTo(0);
		expectProblem(this.client.get().uri("/api/admin/products/{id}/sales", productId)
			.headers((h) -> h.setBearerAuth(userToken(buyer))).exchange(), HttpStatus.FORBIDDEN, "FORBIDDEN");
		expectProblem(this.client.get().uri("/api/admin/products/{id}/sales", Long.MAX_VALUE - 3)
			.headers((h) -> h.setBearerAuth(adminToken())).exchange(), HttpStatus.NOT_FOUND, "PRODUCT_NOT_FOUND");
	}

}
