package com.example.flashsale.coupon;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coupon invariants of docs/invariants.md under real concurrency over HTTP: exactly the advertised number of coupons
 * are issued, never two to one user, and MySQL and Redis agree afterwards. Repeated: it must never flake.
 */
class CouponIssueRaceTest extends IntegrationTest {

	private static final int USERS = 2_000;

	private static final int QUANTITY = 100;

	@Autowired
	DatabaseClient db;

	private WebClient web;

	@BeforeEach
	void client() {
		this.web = parallelClient();
	}

	@RepeatedTest(3)
	void exactlyTheQuantityIsIssuedToDistinctUsersAndEveryLoserHearsSoldOut() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), QUANTITY);
		long firstUser = CouponFixtures.freshUsers(USERS);

		List<Integer> statuses = Flux.range(0, USERS)
			.flatMap((i) -> claim(couponId, userToken(firstUser + i)), USERS)
			.collectList()
			.block(Duration.ofSeconds(60));

		Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
		assertThat(byStatus).containsOnly(Map.entry(201, (long) QUANTITY), Map.entry(410, (long) (USERS - QUANTITY)));
		assertDurableState(couponId, QUANTITY, 0);
		Long distinctHolders = this.db.sql("SELECT COUNT(DISTINCT user_id) AS n FROM user_coupons WHERE coupon_id = ?")
			.bind(0, couponId).map((row) -> row.get("n", Long.class)).one().block();
		assertThat(distinctHolders).isEqualTo(QUANTITY);
	}

	@RepeatedTest(3)
	void oneUserFiringFiftyTimesGetsExactlyOneCoupon() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), QUANTITY);
		String token = userToken(CouponFixtures.freshUsers(1));

		List<Integer> statuses = Flux.range(0, 50).flatMap((i) -> claim(couponId, token), 50).collectList()
			.block(Duration.ofSeconds(30));

		assertThat(statuses).filteredOn((s) -> s == 201).hasSize(1);
		assertThat(statuses).filteredOn((s) -> s == 409).hasSize(49);
		assertDurableState(couponId, 1, QUANTITY - 1);
	}

	private Flux<Integer> claim(long couponId, String token) {
		return status(this.web.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(token)))
			.flux();
	}

	private void assertDurableState(long couponId, int issued, long remaining) {
		Long rows = this.db.sql("SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ?")
			.bind(0, couponId).map((row) -> row.get("n", Long.class)).one().block();
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		assertThat(rows).isEqualTo(issued);
		assertThat(view.issuedCount()).isEqualTo(issued);
		assertThat(view.remainingQuantity()).isEqualTo(remaining);
	}

}
