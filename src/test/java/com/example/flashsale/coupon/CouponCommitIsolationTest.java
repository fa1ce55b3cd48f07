package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, item 4: a coupon event whose commits cannot go through neither fails nor slows the claims of
 * other events, its stuck issues are retried with a growing wait, and operators see it.
 */
class CouponCommitIsolationTest extends IntegrationTest {

	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.coupon.IssueWriter",
			"com.example.flashsale.coupon.IssueLogRecovery");

	@Autowired
	ConnectionFactory connections;

	@Autowired
	DatabaseClient db;

	@Autowired
	CouponIssueState state;

	@Autowired
	IssueLogRecovery recovery;

	@Autowired
	MeterRegistry meters;

	@Test
	void claimsOfOneEventAreAnsweredWhileAnotherEventsCommitsWaitOnItsRow() {
		long stuck = CouponFixtures.openEvent(this.client, adminToken(), 100);
		long healthy = CouponFixtures.openEvent(this.client, adminToken(), 100);
		long firstUser = CouponFixtures.freshUsers(100);
		WebClient web = parallelClient();
		Map<Long, Integer> stuckAnswers = new ConcurrentHashMap<>();
		Map<Long, Integer> healthyAnswers = new ConcurrentHashMap<>();
		CompletableFuture<?> claims;
		CouponRedisLossTest.RowLock lock = CouponRedisLossTest.RowLock.take(this.connections, stuck);
		try {
			claims = Flux.range(0, 100)
				.flatMap((i) -> {
					long couponId = (i % 2 == 0) ? stuck : healthy;
					Map<Long, Integer> answers = (i % 2 == 0) ? stuckAnswers : healthyAnswers;
					return status(web.post().uri("/api/coupons/{id}/issue", couponId)
						.headers((h) -> h.setBearerAuth(userToken(firstUser + i))))
						.doOnNext((s) -> answers.put(firstUser + i, s));
				}, 100)
				.then().toFuture();
			Awaitility.await().atMost(Duration.ofSeconds(8)).until(() -> healthyAnswers.size() == 50);
			assertThat(healthyAnswers.values()).containsOnly(201);
			assertThat(stuckAnswers).isEmpty();
		}
		finally {
			lock.release();
		}
		claims.join();
		assertThat(stuckAnswers.values()).containsOnly(201);
	}

	@Test
	void aPoisonedEventIsBackedOffCountedAndShownWhileOthersRecover() {
		long poisoned = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long healthy = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long firstUser = CouponFixtures.freshUsers(7);
		// decided in Redis; the process "died" before the commit
		for (int i = 0; i < 3; i++) {
			this.state.issue(poisoned, firstUser + i, Instant.now()).block();
			this.state.issue(healthy, firstUser + i, Instant.now()).block();
		}
		String trigger = "poison_coupon_" + poisoned;
		this.db.sql("CREATE TRIGGER " + trigger + " BEFORE INSERT ON user_coupons FOR EACH ROW IF NEW.coupon_id = "
				+ poisoned + " THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned event'; END IF")
			.then().block();
		try {
			this.recovery.recover(Duration.ZERO).block();
			// the replay ends at the event's first failed batch, while the writer still runs the batches already
			// handed to it: each fails and is counted, so wait until the count holds still
			awaitSettledFailures(poisoned);

			assertThat(rows(healthy)).isEqualTo(3);
			assertThat(rows(poisoned)).isZero();
			CouponAdminView view = CouponFixtures.view(this.client, adminToken(), poisoned);
			assertThat(view.uncommittedIssues()).isEqualTo(3);
			int failed = view.commitFailures();
			assertThat(failed).isPositive();
			assertThat(view.lastCommitFailure()).contains("poisoned event");
			assertThat(failures(poisoned)).isEqualTo(failed);
			assertThat(CouponFixtures.view(this.client, adminToken(), healthy).uncommittedIssues()).isZero();

			// backing off: the next run leaves the event alone
			this.recovery.recover(Duration.ZERO).block();
			assertThat(CouponFixtures.view(this.client, adminToken(), poisoned).commitFailures()).isEqualTo(failed);
			assertThat(failures(poisoned)).isEqualTo(failed);
		}
		finally {
			this.db.sql("DROP TRIGGER " + trigger).then().block();
		}
		// the database is fine again: a live claim commits, and the failure is no longer shown
		assertThat(this.client.post().uri("/api/coupons/{id}/issue", poisoned)
			.headers((h) -> h.setBearerAuth(userToken(firstUser + 6))).exchange().expectBody().returnResult().getStatus()
			.value()).isEqualTo(201);
		CouponAdminView after = CouponFixtures.view(this.client, adminToken(), poisoned);
		assertThat(after.commitFailures()).isZero();
		assertThat(after.lastCommitFailure()).isNull();
		assertThat(after.uncommittedIssues()).isEqualTo(3);
	}

	/** Waits until the event's failure counter stays the same over one 700 ms poll. */
	private void awaitSettledFailures(long couponId) {
		double[] last = { -1 };
		Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(700)).until(() -> {
			double now = failures(couponId);
			boolean settled = now > 0 && now == last[0];
			last[0] = now;
			return settled;
		});
	}

	private double failures(long couponId) {
		return this.meters.find("coupon.issue.commit.failures").tag("coupon", Long.toString(couponId)).counter().count();
	}

	private long rows(long couponId) {
		return this.db.sql("SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ?").bind(0, couponId)
			.map((row) -> row.get("n", Long.class)).one().block();
	}

}
