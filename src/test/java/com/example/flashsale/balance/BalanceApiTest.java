package com.example.flashsale.balance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.redis.RedisLock;
import com.example.flashsale.balance.BalanceKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balance endpoints of docs/api.md "Balance" over HTTP: every status with its problem JSON, the charge
 * policy rule by rule, the lock, and keyset paging of the ledger.
 */
class BalanceApiTest extends IntegrationTest {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@Autowired
	DatabaseClient db;

	@Autowired
	RedisLock redisLock;

	private long userId;

	private String token;

	@BeforeEach
	void account() {
		this.userId = BalanceFixtures.newAccount(this.client, adminToken());
		this.token = userToken(this.userId);
	}

	@Test
	void aNewAccountHasAZeroBalance() {
		this.client.get().uri("/api/balance").headers((h) -> h.setBearerAuth(this.token)).exchange()
			.expectStatus().isOk()
			.expectBody().json("{\"userId\":" + this.userId + ",\"balance\":0}", true);
	}

	@Test
	void aChargeRaisesTheBalanceAndWritesOneCompletedLedgerRow() {
		Map<String, Object> charged = charge(this.token, "{\"amount\":15000}").expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		assertThat(charged).containsEntry("userId", (int) this.userId).containsEntry("balance", 15000)
			.containsKey("transactionId");
		charge(this.token, "{\"amount\":1000}").expectStatus().isOk().expectBody().jsonPath("$.balance").isEqualTo(16000);

		Map<String, Object> row = this.db.sql("SELECT type, amount, balance_after, status, order_id FROM balance_transactions WHERE id = ?")
			.bind(0, ((Number) charged.get("transactionId")).longValue())
			.fetch().one().block();
		assertThat(row).containsEntry("type", "CHARGE").containsEntry("amount", 15000L)
			.containsEntry("balance_after", 15000L).containsEntry("status", "COMPLETED").containsEntry("order_id", null);
		assertThat(BalanceFixtures.balance(this.db, this.userId)).isEqualTo(16000);
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@ParameterizedTest
	@ValueSource(longs = { 1005, 999, 990, 0, -1000, 100_010, 1_000_000 })
	void amountsOutsideThePolicyAre400AndChangeNothing(long amount) {
		expectProblem(charge(this.token, "{\"amount\":" + amount + "}"), HttpStatus.BAD_REQUEST, "INVALID_CHARGE_AMOUNT");
		assertUnchanged(0);
	}

	@Test
	void eachRuleIsNamedInTheDetail() {
		assertThat(detail(charge(this.token, "{\"amount\":1005}"))).contains("multiple of 10");
		assertThat(detail(charge(this.token, "{\"amount\":990}"))).contains("at least 1000");
		assertThat(detail(charge(this.token, "{\"amount\":100010}"))).contains("at most 100000");
	}

	@Test
	void aChargeBeyondTheBalanceCapIs400AndChangesNothing() {
		BalanceFixtures.seedCharges(this.db, this.userId, 1, 9_950_000);

		charge(this.token, "{\"amount\":50000}").expectStatus().isOk().expectBody().jsonPath("$.balance").isEqualTo(10_000_000);
		expectProblem(charge(this.token, "{\"amount\":1000}"), HttpStatus.BAD_REQUEST, "INVALID_CHARGE_AMOUNT");
		assertThat(detail(charge(this.token, "{\"amount\":1000}"))).contains("may not exceed 10000000");
		assertThat(BalanceFixtures.balance(this.db, this.userId)).isEqualTo(10_000_000);
		assertThat(BalanceFixtures.ledgerRows(this.db, this.userId)).isEqualTo(2);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"amount\":null}", "{\"amount\":\"5000\"}", "{\"amount\":5000.5}",
			"{\"amount\":99999999999999999999}", "{\"amount\":true}", "[", "" })
	void malformedBodiesAre400InvalidRequestAndChangeNothing(String body) {
		expectProblem(charge(this.token, body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertUnchanged(0);
	}

	@Test
	void anUnknownUserIs404() {
		String stranger = userToken(9_000_000_000L);
		expectProblem(charge(stranger, "{\"amount\":5000}"), HttpStatus.NOT_FOUND, "USER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/balance").headers((h) -> h.setBearerAuth(stranger)).exchange(),
				HttpStatus.NOT_FOUND, "USER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/balance/transactions").headers((h) -> h.setBearerAuth(stranger)).exchange(),
				HttpStatus.NOT_FOUND, "USER_NOT_FOUND");
	}

	@Test
	void aHeldLockIs409ChargeInProgressAndChangesNothing() {
		RedisLock.Lease held = this.redisLock.tryAcquire(BalanceKeys.userLock(this.userId), Duration.ofSeconds(10)).block();
		assertThat(held).isNotNull();
		try {
			expectProblem(charge(this.token, "{\"amount\":5000}"), HttpStatus.CONFLICT, "CHARGE_IN_PROGRESS");
			assertUnchanged(0);
		}
		finally {
			this.redisLock.release(held).block();
		}
		charge(this.token, "{\"amount\":5000}").expectStatus().isOk();
	}

	@Test
	void theLockIsReleasedAfterEveryOutcome() {
		charge(this.token, "{\"amount\":5000}").expectStatus().isOk();
		BalanceFixtures.seedCharges(this.db, this.userId, 1, 9_994_000);
		expectProblem(charge(this.token, "{\"amount\":5000}"), HttpStatus.BAD_REQUEST, "INVALID_CHARGE_AMOUNT");
		expectProblem(charge(userToken(9_000_000_001L), "{\"amount\":5000}"), HttpStatus.NOT_FOUND, "USER_NOT_FOUND");

		assertThat(this.redisLock.tryAcquire(BalanceKeys.userLock(this.userId), Duration.ofSeconds(1)).blockOptional()).isPresent();
		assertThat(this.redisLock.tryAcquire(BalanceKeys.userLock(9_000_000_001L), Duration.ofSeconds(1)).blockOptional()).isPresent();
	}

	@Test
	void withoutATokenIs401() {
		expectProblem(this.client.post().uri("/api/balance/charge").bodyValue("{\"amount\":5000}").exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void theLedgerPagesNewestFirstWithAKeysetCursor() {
		for (int i = 1; i <= 25; i++) {
			charge(this.token, "{\"amount\":" + (1000 * i) + "}").expectStatus().isOk();
		}
		List<Long> amounts = new ArrayList<>();
		List<Long> ids = new ArrayList<>();
		String uri = "/api/balance/transactions?size=10";
		int pages = 0;
		while (uri != null) {
			Map<String, Object> page = get(uri);
			pages++;
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> rows = (List<Map<String, Object>>) page.get("transactions");
			assertThat(rows).hasSizeLessThanOrEqualTo(10);
			rows.forEach((row) -> {
				amounts.add(((Number) row.get("amount")).longValue());
				ids.add(((Number) row.get("id")).longValue());
				assertThat(row).containsEntry("type", "CHARGE").containsEntry("status", "COMPLETED").containsKey("createdAt")
					.containsKey("balanceAfter");
			});
			Object next = page.get("nextCursor");
			uri = (next != null) ? "/api/balance/transactions?size=10&cursor=" + next : null;
		}
		assertThat(pages).isEqualTo(3);
		assertThat(amounts).hasSize(25).first().isEqualTo(25_000L);
		assertThat(amounts).last().isEqualTo(1_000L);
		assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a)).doesNotHaveDuplicates();
	}

	@Test
	void theDefaultPageIs20AndTheLargestIs100() {
		Map<String, Object> empty = get("/api/balance/transactions");
		assertThat(empty).containsEntry("transactions", List.of()).containsEntry("nextCursor", null);
		BalanceFixtures.seedCharges(this.db, this.userId, 120, 1000);

		assertThat((List<?>) get("/api/balance/transactions").get("transactions")).hasSize(20);
		Map<String, Object> largest = get("/api/balance/transactions?size=100");
		assertThat((List<?>) largest.get("transactions")).hasSize(100);
		assertThat(largest.get("nextCursor")).isNotNull();
		// one paging rule for every keyset-paged route: a size above the largest is refused, not capped
		expectProblem(this.client.get().uri("/api/balance/transactions?size=100000").headers((h) -> h.setBearerAuth(this.token))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@ParameterizedTest
	@ValueSource(strings = { "size=0", "size=-5", "size=ten", "cursor=abc", "cursor=0", "cursor=99999999999999999999" })
	void badPagingParametersAre400(String query) {
		expectProblem(this.client.get().uri("/api/balance/transactions?" + query).headers((h) -> h.setBearerAuth(this.token))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	private WebTestClient.ResponseSpec charge(String token, String body) {
		return postJson("/api/balance/charge", token, body);
	}

	private Map<String, Object> get(String uri) {
		return this.client.get().uri(uri).headers((h) -> h.setBearerAuth(this.token)).exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
	}

	private static String detail(WebTestClient.ResponseSpec response) {
		return (String) response.expectBody(JSON).returnResult().getResponseBody().get("detail");
	}

	private void assertUnchanged(long balance) {
		assertThat(BalanceFixtures.balance(this.db, this.userId)).isEqualTo(balance);
		assertThat(BalanceFixtures.ledgerRows(this.db, this.userId)).isZero();
	}

}
