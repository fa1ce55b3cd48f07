package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

/** Buyers, orders and database reads for the order tests. */
final class OrderFixtures {

	private static final AtomicLong nextKey = new AtomicLong(System.nanoTime());

	private OrderFixtures() {
	}

	/** An Idempotency-Key never used before. */
	static String newKey() {
		return "order-" + Long.toString(nextKey.incrementAndGet(), 36);
	}

	/** An account holding {@code balance} KRW (written as CHARGE rows, so the ledger invariant holds). */
	static long buyer(WebTestClient client, String adminToken, DatabaseClient db, long balance) {
		long userId = BalanceFixtures.newAccount(client, adminToken);
		if (balance > 0) {
			BalanceFixtures.seedCharges(db, userId, 1, balance);
		}
		return userId;
	}

	/**
	 * {@code count} accounts holding {@code balance} KRW each, written straight to the database (one CHARGE
	 * row each, so the ledger invariant holds): quicker than the API for the races of a thousand buyers.
	 * @return their ids
	 */
	static List<Long> buyers(DatabaseClient db, int count, long balance) {
		String tag = "race-" + Long.toString(nextKey.incrementAndGet(), 36);
		StringJoiner values = new StringJoiner(", ");
		for (int i = 0; i < count; i++) {
			values.add("('" + tag + "', " + balance + ", UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))");
		}
		db.sql("INSERT INTO users (name, balance, created_at, updated_at) VALUES " + values).then().block();
		db.sql("INSERT INTO balance_transactions (user_id, type, amount, balance_after, status, created_at) "
				+ "SELECT id, 'CHARGE', balance, balance, 'COMPLETED', UTC_TIMESTAMP(6) FROM users WHERE name = ?")
			.bind(0, tag).then().block();
		return db.sql("SELECT id FROM users WHERE name = ? ORDER BY id").bind(0, tag)
			.map((row) -> row.get("id", Long.class)).all().collectList().block();
	}

	/** A status and body as the client received them. */
	record Answer(int status, byte[] body) {

		String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	/** {@code POST /api/orders} through a parallel client; the answer's status and bytes. */
	static Mono<Answer> placeAsync(WebClient client, String token, String key, String json) {
		return client.post().uri("/api/orders").headers((h) -> {
			h.setBearerAuth(token);
			h.set("Idempotency-Key", key);
		}).contentType(MediaType.APPLICATION_JSON).bodyValue(json)
			.exchangeToMono((response) -> response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
				.map((bytes) -> new Answer(response.statusCode().value(), bytes)));
	}

	/** A one-line order body. */
	static String body(long productId, int quantity) {
		return "{\"items\":[{\"productId\":" + productId + ",\"quantity\":" + quantity + "}]}";
	}

	/** A one-line order body with a coupon. */
	static String body(long productId, int quantity, long userCouponId) {
		return "{\"items\":[{\"productId\":" + productId + ",\"quantity\":" + quantity + "}],\"userCouponId\":"
				+ userCouponId + "}";
	}

	/** {@code POST /api/orders} with {@code key} (null: no header) and {@code json}. */
	static WebTestClient.ResponseSpec place(WebTestClient client, String token, String key, String json) {
		return client.post().uri("/api/orders").headers((h) -> {
			h.setBearerAuth(token);
			if (key != null) {
				h.set("Idempotency-Key", key);
			}
		}).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	/** Issues a coupon of {@code couponId} to the token's user and returns the user coupon id. */
	static long issueCoupon(WebTestClient client, String token, long couponId) {
		Map<String, Object> issued = client.post().uri("/api/coupons/{id}/issue", couponId)
			.headers((h) -> h.setBearerAuth(token))
			.exchange()
			.expectStatus().isEqualTo(HttpStatus.CREATED)
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
		return ((Number) issued.get("userCouponId")).longValue();
	}

	/**
	 * An order whose payment transaction rolled back while its client got 202 (the commit reply lost, see
	 * {@link DatabaseFaults}): PENDING, its reservation held, waiting for recovery.
	 * @return its id
	 */
	static long pendingOrder(WebTestClient client, DatabaseFaults faults, String token, long productId, int quantity) {
		faults.loseCommitReply("INSERT INTO payments", false);
		try {
			Map<String, Object> pending = place(client, token, newKey(), body(productId, quantity)).expectStatus().isAccepted()
				.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
			return ((Number) pending.get("orderId")).longValue();
		}
		finally {
			faults.reset();
		}
	}

	/** Makes an order two minutes old: past the recovery job's one-minute min-age. */
	static void age(DatabaseClient db, long orderId) {
		db.sql("UPDATE orders SET created_at = created_at - INTERVAL 2 MINUTE WHERE id = ?").bind(0, orderId).then().block();
	}

	/** A single number the query selects as {@code n}. */
	static long count(DatabaseClient db, String sql, Object... args) {
		DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
		for (int i = 0; i < args.length; i++) {
			spec = spec.bind(i, args[i]);
		}
		return spec.map((row) -> row.get("n", Long.class)).one().blockOptional().orElse(0L);
	}

	/** The durable stock of a product. */
	static long durableStock(DatabaseClient db, long productId) {
		return count(db, "SELECT stock AS n FROM products WHERE id = ?", productId);
	}

	/** The status of a user coupon. */
	static String couponStatus(DatabaseClient db, long userCouponId) {
		return db.sql("SELECT status FROM user_coupons WHERE id = ?").bind(0, userCouponId)
			.map((row) -> row.get("status", String.class)).one().block();
	}

}
