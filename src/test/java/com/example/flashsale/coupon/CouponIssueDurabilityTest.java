package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.coupon.CouponIssueState.IssueDecision;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durability model of {@link CouponService}: an issue decided in Redis reaches MySQL exactly once
 * whether the process dies before the commit, the client hangs up, or Redis loses its data.
 */
class CouponIssueDurabilityTest extends IntegrationTest {

	@Autowired
	CouponIssueState state;

	@Autowired
	IssueLogRecovery recovery;

	@Autowired
	CouponService service;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseClient db;

	@Test
	void issuesDecidedBeforeACrashAreCommittedExactlyOnceByRecovery() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 100);
		long firstUser = CouponFixtures.freshUsers(40);
		// the issue script ran, then the process "died": nothing was handed to the writer
		Flux.range(0, 40)
			.concatMap((i) -> this.state.issue(couponId, firstUser + i, Instant.now()))
			.as(StepVerifier::create)
			.expectNextCount(40)
			.verifyComplete();
		assertThat(rows(couponId)).isZero();
		assertThat(logLength(couponId)).isEqualTo(40);

		StepVerifier.create(this.recovery.recover(Duration.ZERO)).expectNextMatches((n) -> n >= 40).verifyComplete();

		assertThat(rows(couponId)).isEqualTo(40);
		assertThat(logLength(couponId)).isZero();
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		assertThat(view.issuedCount()).isEqualTo(40);
		assertThat(view.remainingQuantity()).isEqualTo(60);
		// the users see their coupons and cannot claim again
		this.client.get().uri("/api/coupons").headers((h) -> h.setBearerAuth(userToken(firstUser)))
			.exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.coupons[?(@.couponId == %d)]".formatted(couponId)).exists();
		this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(firstUser)))
			.exchange().expectStatus().isEqualTo(HttpStatus.CONFLICT)
			.expectBody().returnResult();
	}

	@Test
	void replayingAnAlreadyCommittedIssueChangesNothing() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long user = CouponFixtures.freshUsers(1);
		this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(user)))
			.exchange().expectStatus().isCreated()
			.expectBody().returnResult();
		// the commit happened but the process died before the log entry was deleted
		this.redis.opsForStream()
			.add(CouponKeys.log(couponId), Map.of("user", Long.toString(user), "issuedAt",
					Long.toString(Instant.now().toEpochMilli()), "expiresAt",
					Long.toString(Instant.now().plus(Duration.ofDays(7)).toEpochMilli())))
			.block();

		StepVerifier.create(this.recovery.recover(Duration.ZERO)).expectNextMatches((n) -> n >= 1).verifyComplete();

		assertThat(rows(couponId)).isEqualTo(1);
		assertThat(logLength(couponId)).isZero();
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).issuedCount()).isEqualTo(1);
	}

	@Test
	void clientsHangingUpMidRequestLeaveMySqlAndRedisInAgreement() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 150);
		long firstUser = CouponFixtures.freshUsers(300);
		List<Disposable> requests = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			requests.add(this.service.issue(couponId, firstUser + i).subscribe((ok) -> {
			}, (error) -> {
			}));
			if (i % 3 == 0) {
				requests.get(i).dispose();
			}
		}
		requests.forEach(Disposable::dispose);

		Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
			assertThat(view.remainingQuantity()).isZero();
			assertThat(view.issuedCount()).isEqualTo(150);
			assertThat(rows(couponId)).isEqualTo(150);
			assertThat(logLength(couponId)).isZero();
		});
	}

	@Test
	void stateLostByRedisIsRebuiltFromMySqlNeverAsFullStock() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long firstUser = CouponFixtures.freshUsers(7);
		for (int i = 0; i < 3; i++) {
			long user = firstUser + i;
			this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(user)))
				.exchange().expectStatus().isCreated()
			.expectBody().returnResult();
		}
		// Redis restarted without persistence
		this.redis.delete(CouponKeys.state(couponId), CouponKeys.issued(couponId)).block();

		this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(firstUser)))
			.exchange().expectStatus().isEqualTo(HttpStatus.CONFLICT)
			.expectBody().returnResult();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 3; i < 7; i++) {
			long user = firstUser + i;
			statuses.add(this.client.post().uri("/api/coupons/{id}/issue", couponId)
				.headers((h) -> h.setBearerAuth(userToken(user))).exchange().expectBody().returnResult().getStatus().value());
		}
		assertThat(statuses).containsExactly(201, 201, 410, 410);
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		assertThat(view.issuedCount()).isEqualTo(5);
		assertThat(view.remainingQuantity()).isZero();
	}

	@Test
	void theScriptDecidesWindowDuplicateAndSoldOutWithoutTouchingTheLog() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 1);
		long user = CouponFixtures.freshUsers(2);
		this.client.get().uri("/api/admin/coupons/{id}", couponId).headers((h) -> h.setBearerAuth(adminToken()))
			.exchange().expectStatus().isOk()
			.expectBody().returnResult();
		Instant now = Instant.now();

		StepVerifier.create(this.state.issue(couponId, user, now.plus(Duration.ofDays(1))))
			.expectNextMatches(IssueDecision.NotIssuable.class::isInstance).verifyComplete();
		StepVerifier.create(this.state.issue(couponId, user, now))
			.expectNextMatches(IssueDecision.Issued.class::isInstance).verifyComplete();
		StepVerifier.create(this.state.issue(couponId, user, now))
			.expectNextMatches(IssueDecision.Duplicate.class::isInstance).verifyComplete();
		StepVerifier.create(this.state.issue(couponId, user + 1, now))
			.expectNextMatches(IssueDecision.SoldOut.class::isInstance).verifyComplete();
		assertThat(logLength(couponId)).isEqualTo(1);
		StepVerifier.create(this.recovery.recover(Duration.ZERO)).expectNextMatches((n) -> n >= 1).verifyComplete();
	}

	private long rows(long couponId) {
		return this.db.sql("SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ?")
			.bind(0, couponId).map((row) -> row.get("n", Long.class)).one().block();
	}

	private long logLength(long couponId) {
		return this.redis.opsForStream().size(CouponKeys.log(couponId)).block();
	}

}
