package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coupon reconciler (docs/redis.md "Coupon reconciler"): compares every event's Redis state with
 * MySQL, repairs the drift through {@code POST /api/admin/coupons/reconcile}, leaves commits in flight
 * alone, and counts what it repaired.
 */
class CouponReconcilerTest extends IntegrationTest {

	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.coupon.CouponReconciler");

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	CouponIssueState state;

	@Autowired
	MeterRegistry meters;

	@Test
	void lostAndStrayHoldersAreRepairedAndCounted() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long first = CouponFixtures.freshUsers(5);
		for (int i = 0; i < 4; i++) {
			claim(couponId, first + i);
		}
		double missingBefore = repairs("missing_holder");
		double straysBefore = repairs("stray_holder");
		// Redis forgets two holders, and keeps one whose issue never reached MySQL and left the log long ago
		this.redis.opsForHash().remove(CouponKeys.holders(couponId), Long.toString(first), Long.toString(first + 1))
			.block();
		long lostAt = Instant.now().minus(Duration.ofMinutes(5)).toEpochMilli();
		this.redis.opsForHash().put(CouponKeys.holders(couponId), Long.toString(first + 4), "t|" + lostAt + "-0|" + lostAt)
			.block();
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(7);

		CouponReconciler.CouponReconciliation report = reconcile();

		assertThat(report.checked()).isPositive();
		assertThat(repairsOf(report, couponId)).containsExactlyInAnyOrder(
				new CouponReconciler.CouponRepair(couponId, "missing_holder", 2, 7, 6),
				new CouponReconciler.CouponRepair(couponId, "stray_holder", 1, 7, 6));

		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(6);
		assertThat(repairs("missing_holder") - missingBefore).isGreaterThanOrEqualTo(2);
		assertThat(repairs("stray_holder") - straysBefore).isGreaterThanOrEqualTo(1);
		assertThat(status(couponId, first)).isEqualTo(409);
		// a second run finds nothing more to repair in this event
		assertThat(repairsOf(reconcile(), couponId)).isEmpty();
	}

	@Test
	void anIssueWhoseCommitIsInFlightIsNotDrift() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long user = CouponFixtures.freshUsers(1);
		// decided and logged in Redis, not committed yet
		this.state.issue(couponId, user, Instant.now().minus(Duration.ofMinutes(1))).block();

		assertThat(repairsOf(reconcile(), couponId)).isEmpty();

		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(4);
	}

	@Test
	void aSoldOutEventThatRedisForgotIsSoldOutAgain() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 2);
		long first = CouponFixtures.freshUsers(3);
		claim(couponId, first);
		claim(couponId, first + 1);
		// an older snapshot: no holders, not sold out
		this.redis.delete(CouponKeys.holders(couponId)).block();
		this.redis.opsForHash().remove(CouponKeys.state(couponId), "soldOut").block();
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(2);

		assertThat(repairsOf(reconcile(), couponId)).containsExactlyInAnyOrder(
				new CouponReconciler.CouponRepair(couponId, "missing_holder", 2, 2, 0),
				new CouponReconciler.CouponRepair(couponId, "sold_out_flag", 1, 2, 0));

		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isZero();
		assertThat(status(couponId, first + 2)).isEqualTo(410);
	}

	@Test
	void reconcilingIsForAdminsOnly() {
		this.client.post().uri("/api/admin/coupons/reconcile").headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange().expectStatus().isForbidden().expectBody().returnResult();
	}

	private CouponReconciler.CouponReconciliation reconcile() {
		return this.client.post().uri("/api/admin/coupons/reconcile").headers((h) -> h.setBearerAuth(adminToken()))
			.exchange().expectStatus().isOk().expectBody(CouponReconciler.CouponReconciliation.class).returnResult().getResponseBody();
	}

	private static List<CouponReconciler.CouponRepair> repairsOf(CouponReconciler.CouponReconciliation report, long couponId) {
		return report.repairs().stream().filter((repair) -> repair.couponId() == couponId).toList();
	}

	private void claim(long couponId, long user) {
		assertThat(status(couponId, user)).isEqualTo(201);
	}

	private int status(long couponId, long user) {
		return this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(user)))
			.exchange().expectBody().returnResult().getStatus().value();
	}

	private double repairs(String kind) {
		Counter counter = this.meters.find("flashsale.reconciler.repairs").tag("target", "coupon").tag("kind", kind)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

}
