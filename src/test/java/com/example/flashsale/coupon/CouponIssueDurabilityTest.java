package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.coupon.CouponIssueState.IssueDecision;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durability model of {@link CouponService}: an issue decided in Redis reaches MySQL exactly once
 * whether the process dies before the commit, the client hangs up, or Redis loses its data.
 */
class CouponIssueDurabilityTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.coupon.IssueWriter");

	@Autowired
	CouponIssueState state;

	@Autowired
	IssueLogRecovery recovery;

	@Autowired
	IssueWriter writer;


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
		ConnectionProvider connections = ConnectionProvider.builder("hang-up").maxConnections(300).build();
		try {
			WebClient web = WebClient.builder()
				.clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
				.baseUrl("http://127.0.0.1:" + this.port)
				.build();
			// every request gives up after 1-20 ms: the connection closes while the claim is on its way
			Flux.range(0, 300)
				.flatMap((i) -> web.post()
					.uri("/api/coupons/{id}/issue", couponId)
					.headers((h) -> h.setBearerAuth(userToken(firstUser + i)))
					.retrieve()
					.toBodilessEntity()
					.timeout(Duration.ofMillis(1 + i % 20))
					.onErrorResume((ex) -> Mono.empty()), 300)
				.blockLast(Duration.ofSeconds(30));
		}
		finally {
			connections.dispose();
		}

		Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
			assertThat(logLength(couponId)).isZero();
			assertThat(view.issuedCount()).isEqualTo(150 - view.remainingQuantity());
			assertThat(rows(couponId)).isEqualTo(view.issuedCount());
		});
	}

	@Test
	void aCommitLandingAfterRedisLostItsDataIsAddedToTheRebuiltState() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long inFlight = CouponFixtures.freshUsers(2);
		// decided by the old Redis; its commit is still on its way when Redis loses everything
		IssueDecision.Issued decided = (IssueDecision.Issued) this.state.issue(couponId, inFlight, Instant.now()).block();
		this.redis.delete(CouponKeys.state(couponId), CouponKeys.holders(couponId), CouponKeys.log(couponId)).block();
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(10);

		StepVerifier.create(this.writer.commit(decided.issue())).expectNextCount(1).verifyComplete();

		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		assertThat(view.issuedCount()).isEqualTo(1);
		assertThat(view.remainingQuantity()).isEqualTo(9);
		this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(inFlight)))
			.exchange().expectStatus().isEqualTo(HttpStatus.CONFLICT)
			.expectBody().returnResult();
	}

	@Test
	void aLostStateHashCountsHoldersWhoseCommitIsStillPending() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long firstUser = CouponFixtures.freshUsers(3);
		for (int i = 0; i < 3; i++) {
			// decided and logged, not committed yet
			this.state.issue(couponId, firstUser + i, Instant.now()).block();
		}
		this.redis.delete(CouponKeys.state(couponId)).block();

		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(7);
		StepVerifier.create(this.recovery.recover(Duration.ZERO)).expectNextMatches((n) -> n >= 3).verifyComplete();
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		assertThat(view.issuedCount()).isEqualTo(3);
		assertThat(view.remainingQuantity()).isEqualTo(7);
	}

	@Test
	void recoveryPagesThroughLogsLongerThanOnePass() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 2_000);
		long firstUser = CouponFixtures.freshUsers(1_200);
		Flux.range(0, 1_200)
			.flatMap((i) -> this.state.issue(couponId, firstUser + i, Instant.now()), 64)
			.blockLast(Duration.ofSeconds(30));
		assertThat(logLength(couponId)).isEqualTo(1_200);

		StepVerifier.create(this.recovery.recover(Duration.ZERO)).expectNextMatches((n) -> n >= 1_200)
			.verifyComplete();

		assertThat(rows(couponId)).isEqualTo(1_200);
		assertThat(logLength(couponId)).isZero();
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).issuedCount()).isEqualTo(1_200);
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
		this.redis.delete(CouponKeys.state(couponId), CouponKeys.holders(couponId)).block();

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
