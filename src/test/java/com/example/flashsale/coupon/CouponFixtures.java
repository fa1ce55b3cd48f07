package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Creates coupon events through the admin API and hands out user ids no other test uses. */
public final class CouponFixtures {

	/** Every run starts far from earlier runs' users, so the persistent test database needs no cleanup. */
	private static final AtomicLong nextUserId = new AtomicLong(
			1_000_000_000L + (System.currentTimeMillis() % 1_000_000L) * 10_000L);

	private CouponFixtures() {
	}

	/** {@code count} consecutive user ids never used before in this JVM run. */
	public static long freshUsers(int count) {
		return nextUserId.getAndAdd(count);
	}

	/** Opens an event of {@code quantity} coupons whose window is open now. */
	public static long openEvent(WebTestClient client, String adminToken, int quantity) {
		Instant now = Instant.now();
		return create(client, adminToken, quantity, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)));
	}

	/** Creates an event with the given window and returns its id. */
	static long create(WebTestClient client, String adminToken, int quantity, Instant startsAt, Instant endsAt) {
		Map<String, Object> body = Map.of("code", "T-" + UUID.randomUUID().toString().substring(0, 18), "name",
				"Test event", "discountAmount", 1000, "totalQuantity", quantity, "startsAt", startsAt.toString(), "endsAt",
				endsAt.toString(), "validDays", 7);
		CouponAdminView created = client.post()
			.uri("/api/admin/coupons")
			.headers((h) -> h.setBearerAuth(adminToken))
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CREATED)
			.expectBody(CouponAdminView.class)
			.returnResult()
			.getResponseBody();
		return created.id();
	}

	/** The operators' view of an event. */
	static CouponAdminView view(WebTestClient client, String adminToken, long couponId) {
		return client.get()
			.uri("/api/admin/coupons/{id}", couponId)
			.headers((h) -> h.setBearerAuth(adminToken))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(CouponAdminView.class)
			.returnResult()
			.getResponseBody();
	}

}
