package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.coupon.CouponIssueState.IssueDecision;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, coupons: Redis may lose any part of a coupon's state at any moment (a rebuild while a commit
 * is in flight, a second loader, a lost holder, a resent script) and MySQL still decides: never beyond
 * the total, every 201 and every 409 user holds a row, and Redis agrees with MySQL after settling.
 */
class CouponRedisLossTest extends IntegrationTest {

	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.coupon.IssueWriter",
			"com.example.flashsale.coupon.IssueLogRecovery");

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseClient db;

	@Autowired
	ConnectionFactory connections;

	@Autowired
	CouponIssueState state;

	@Autowired
	CouponRepository repository;

	@Autowired
	IssueWriter writer;

	/**
	 * Items 1 and 2: a rebuild (by claims and by the admin view) while a batch waits on the coupon row. The
	 * row is held for a few seconds only: a commit waits at most 3 s per attempt for it (4 attempts).
	 */
	@Test
	void aRebuildWhileABatchIsInFlightNeverIssuesBeyondTheTotalNorStrandsAWinner() {
		int total = 10;
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), total);
		long before = CouponFixtures.freshUsers(100);
		long after = CouponFixtures.freshUsers(100);
		WebClient web = parallelClient();
		Map<Long, Integer> statuses = new ConcurrentHashMap<>();
		Map<Long, Integer> again = new ConcurrentHashMap<>();
		List<CompletableFuture<?>> claims = new ArrayList<>();
		RowLock lock = RowLock.take(this.connections, couponId);
		try {
			claims.add(claimAll(web, couponId, before, 100, statuses));
			for (long user = before; user < before + 100; user++) {
				statuses.putIfAbsent(user, 0);
			}
			// the winners' batch waits on the coupon row: Redis has decided them all
			Awaitility.await().atMost(Duration.ofSeconds(20))
				.until(() -> answered(statuses) == 100 - total && logLength(couponId) == total);
			// Redis loses the event; claims and the operators' view rebuild it from MySQL, and the winners whose
			// commit is in flight claim again
			deleteKeys(couponId);
			claims.add(claimAll(web, couponId, after, 100, statuses));
			statuses.forEach((user, status) -> {
				if (status == 0) {
					claims.add(claimAll(web, couponId, user, 1, again));
				}
			});
			claims.add(Flux.range(0, 10)
				.flatMap((i) -> status(web.get().uri("/api/admin/coupons/{id}", couponId)
					.headers((h) -> h.setBearerAuth(adminToken()))), 4)
				.collectList().toFuture());
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> answered(statuses) >= 200 - 2 * total);
		}
		finally {
			lock.release();
		}
		CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).join();

		Map<Integer, Long> byStatus = statuses.values().stream()
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
		assertThat(byStatus).containsOnlyKeys(201, 410);
		assertThat(byStatus.get(201)).isEqualTo(total);
		assertSettled(couponId, total, total);
		Set<Long> winners = statuses.entrySet().stream().filter((e) -> e.getValue() == 201).map(Map.Entry::getKey)
			.collect(Collectors.toSet());
		assertThat(holders(couponId)).isEqualTo(winners);
		// a second claim of a winner is never a second coupon, and 409 always means a row
		assertThat(again).hasSize(total);
		assertThat(again.values()).doesNotContain(201, 503);
		again.forEach((user, status) -> {
			if (status == 409) {
				assertThat(winners).contains(user);
			}
		});
	}

	private static long answered(Map<Long, Integer> statuses) {
		return statuses.values().stream().filter((s) -> s != 0).count();
	}

	/**
	 * Item 2: a second loader whose read of the holders came after the in-flight commit must not leave
	 * remaining too high.
	 */
	@Test
	void aSecondLoaderThatReadTheHoldersAfterTheCommitLeavesRemainingExact() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long user = CouponFixtures.freshUsers(1);
		WebClient web = parallelClient();
		Map<Long, Integer> statuses = new ConcurrentHashMap<>();
		CompletableFuture<?> claim;
		RowLock lock = RowLock.take(this.connections, couponId);
		try {
			claim = claimAll(web, couponId, user, 1, statuses);
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> logLength(couponId) == 1);
			deleteKeys(couponId);
			// the first loader (the operators' view) installs from MySQL without the in-flight holder
			assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(10);
			// a second loader read the holders once the commit had landed: it adds that holder
			Coupon coupon = this.repository.findById(couponId).block();
			this.state.install(coupon, Flux.just(user)).block();
		}
		finally {
			lock.release();
		}
		claim.join();

		assertThat(statuses).containsEntry(user, 201);
		assertSettled(couponId, 10, 1);
	}

	/** Item 3: a holder Redis forgot claims again: 409, and the event still issues its whole total. */
	@Test
	void aHolderRedisForgotIsAnswered409AndTheEventStillIssuesItsTotal() {
		int total = 10;
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), total);
		long first = CouponFixtures.freshUsers(20);
		for (int i = 0; i < 5; i++) {
			assertThat(claim(couponId, first + i)).isEqualTo(201);
		}
		forgetHolder(couponId, first);

		assertThat(claim(couponId, first)).isEqualTo(409);
		List<Integer> newcomers = new ArrayList<>();
		for (int i = 5; i < 12; i++) {
			newcomers.add(claim(couponId, first + i));
		}

		assertThat(newcomers).containsExactly(201, 201, 201, 201, 201, 410, 410);
		assertSettled(couponId, total, total);
	}

	/** Item 5: the issue script run twice with the same arguments (a Lettuce re-send) is one issue. */
	@Test
	void theIssueScriptRunTwiceWithTheSameArgumentsIsOneIssue() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long user = CouponFixtures.freshUsers(1);
		Instant now = Instant.now();

		IssueDecision first = this.state.issue(couponId, user, now, "tok-1").block();
		IssueDecision resent = this.state.issue(couponId, user, now, "tok-1").block();

		assertThat(first).isInstanceOf(IssueDecision.Issued.class);
		assertThat(resent).isEqualTo(first);
		assertThat(logLength(couponId)).isEqualTo(1);
		assertThat(CouponFixtures.view(this.client, adminToken(), couponId).remainingQuantity()).isEqualTo(9);
		// the request goes on with the issue: one row, and the user is a holder from then on
		assertThat(this.writer.commit(((IssueDecision.Issued) resent).issue()).block()).isNotNull();
		assertSettled(couponId, 10, 1);
		assertThat(claim(couponId, user)).isEqualTo(409);
	}

	private CompletableFuture<?> claimAll(WebClient web, long couponId, long firstUser, int count,
			Map<Long, Integer> statuses) {
		return Flux.range(0, count)
			.flatMap((i) -> status(web.post().uri("/api/coupons/{id}/issue", couponId)
				.headers((h) -> h.setBearerAuth(userToken(firstUser + i))))
				.doOnNext((s) -> statuses.put(firstUser + i, s)), count)
			.then()
			.toFuture();
	}

	private int claim(long couponId, long user) {
		return this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(user)))
			.exchange().expectBody().returnResult().getStatus().value();
	}

	/** MySQL's issued_count == rows == expected, Redis remaining == total - issued, and nothing left in the log. */
	private void assertSettled(long couponId, int total, int issued) {
		Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(logLength(couponId)).isZero();
			CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
			assertThat(view.issuedCount()).isEqualTo(issued);
			assertThat(holders(couponId)).hasSize(issued);
			assertThat(view.remainingQuantity()).isEqualTo(total - issued);
		});
	}

	private Set<Long> holders(long couponId) {
		return new HashSet<>(this.db.sql("SELECT user_id FROM user_coupons WHERE coupon_id = ?").bind(0, couponId)
			.map((row) -> row.get("user_id", Long.class)).all().collectList().block());
	}

	private void deleteKeys(long couponId) {
		this.redis.delete(CouponKeys.state(couponId), CouponKeys.holders(couponId), CouponKeys.log(couponId)).block();
	}

	private void forgetHolder(long couponId, long user) {
		this.redis.opsForHash().remove(CouponKeys.holders(couponId), Long.toString(user)).block();
	}

	private long logLength(long couponId) {
		return this.redis.opsForStream().size(CouponKeys.log(couponId)).block();
	}

	/** The coupon row locked by another session, as a long transaction or a slow commit would hold it. */
	static final class RowLock {

		private final Connection connection;

		private RowLock(Connection connection) {
			this.connection = connection;
		}

		static RowLock take(ConnectionFactory connections, long couponId) {
			Connection connection = Mono.from(connections.create()).block();
			Mono.from(connection.beginTransaction()).block();
			Flux.from(connection.createStatement("SELECT id FROM coupons WHERE id = " + couponId + " FOR UPDATE").execute())
				.flatMap((result) -> result.map((row, meta) -> 1))
				.blockLast();
			return new RowLock(connection);
		}

		void release() {
			Mono.from(this.connection.rollbackTransaction()).block();
			Mono.from(this.connection.close()).block();
		}

	}

}
