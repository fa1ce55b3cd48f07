package com.example.flashsale.balance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger invariant (docs/invariants.md) under real concurrency over HTTP: for every user, balance == sum of
 * the completed ledger amounts, never negative, whatever mix of parallel charges hits the service.
 */
class BalanceConcurrencyTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@RepeatedTest(3)
	void twoHundredParallelChargesOfOneUserEitherSucceedOrAre409() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		String token = userToken(userId);
		WebClient web = parallelClient();

		List<Integer> statuses = Flux.range(0, 200)
			.flatMap((i) -> charge(web, token, 5_000), 200)
			.collectList()
			.block(Duration.ofSeconds(60));

		Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
		assertThat(byStatus.keySet()).containsAnyOf(200).isSubsetOf(200, 409);
		long succeeded = byStatus.get(200);
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(succeeded * 5_000);
		assertThat(BalanceFixtures.ledgerRows(this.db, userId)).isEqualTo(succeeded);
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void twoHundredUsersChargingInParallelKeepEveryLedger() {
		List<Long> users = LongStream.range(0, 200).mapToObj((i) -> BalanceFixtures.newAccount(this.client, adminToken())).toList();
		WebClient web = parallelClient();
		Map<Long, AtomicLong> charged = new ConcurrentHashMap<>();
		long[] amounts = { 1_000, 5_000, 10_000 };

		// each user fires three charges at once, all users at once: 600 requests in flight
		Flux.fromIterable(users)
			.flatMap((userId) -> Flux.range(0, 3).flatMap((i) -> {
				long amount = amounts[(int) ((userId + i) % amounts.length)];
				return charge(web, userToken(userId), amount).doOnNext((status) -> {
					assertThat(status).isIn(200, 409);
					if (status == 200) {
						charged.computeIfAbsent(userId, (id) -> new AtomicLong()).addAndGet(amount);
					}
				});
			}), 200)
			.then()
			.block(Duration.ofSeconds(90));

		for (long userId : users) {
			long expected = charged.getOrDefault(userId, new AtomicLong()).get();
			assertThat(BalanceFixtures.balance(this.db, userId)).as("user %d", userId).isEqualTo(expected);
		}
		assertThat(charged).as("users with at least one successful charge").hasSize(users.size());
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	@Test
	void clientsHangingUpMidChargeLeaveNoLockAndNoHalfWrittenCharge() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		String token = userToken(userId);
		WebClient web = parallelClient();

		// 100 charges whose clients give up after a few milliseconds, most while their charge runs
		Flux.range(0, 100)
			.flatMap((i) -> charge(web, token, 1_000).timeout(Duration.ofMillis(5 + i % 10)).onErrorResume((ex) -> Mono.empty()),
					100)
			.then()
			.block(Duration.ofSeconds(30));

		// every charge that started runs to its end and frees the lock; the lock must stay free for a while, since
		// a charge whose client already gave up may still be waiting for a CPU to start (a 409 otherwise)
		await().atMost(Duration.ofSeconds(15)).during(Duration.ofMillis(500))
			.until(() -> !this.redis.hasKey(BalanceKeys.userLock(userId)).block());
		charge(web, token, 1_000).as(StepVerifier::create).expectNext(200).verifyComplete();
		long rows = BalanceFixtures.ledgerRows(this.db, userId);
		assertThat(rows).isPositive();
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(rows * 1_000);
		BalanceFixtures.assertLedgerInvariant(this.db);
	}

	private static Mono<Integer> charge(WebClient web, String token, long amount) {
		return status(web.post().uri("/api/balance/charge").headers((h) -> h.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"amount\":" + amount + "}"));
	}

}
