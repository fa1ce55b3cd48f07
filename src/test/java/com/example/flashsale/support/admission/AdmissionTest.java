package com.example.flashsale.support.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.SecondInstance;
import com.example.flashsale.RedisFaultProxy;
import com.example.flashsale.coupon.CouponFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admission protections on (docs/operations.md "Admission: rate limits, load shedding, sold out from memory"), each rule on two instances sharing one
 * database and one Redis: this test's instance (A) and a second one started here (B) with the same settings.
 * Rate limits are shared by the instances (one user's bucket holds across both); load shedding caps each
 * instance on its own; a sold-out event learnt on one instance is answered from memory on both, with the
 * full path's answer.
 */
@TestPropertySource(properties = { AdmissionTest.RATE_LIMITS, AdmissionTest.SHEDDING, AdmissionTest.SOLD_OUT,
		AdmissionTest.CHARGE_CAPACITY, AdmissionTest.CHARGE_PERIOD, AdmissionTest.CHARGE_NOT_SHED,
		AdmissionTest.ISSUE_CAP, AdmissionTest.ISSUE_CAPACITY, AdmissionTest.REDIS_TIMEOUT })
class AdmissionTest extends IntegrationTest {

	static final String RATE_LIMITS = "app.rate-limit.enabled=true";

	static final String SHEDDING = "app.load-shedding.enabled=true";

	static final String SOLD_OUT = "app.coupon.sold-out-from-memory=true";

	/** 4 charges per user per hour: no token comes back during the test. */
	static final String CHARGE_CAPACITY = "app.rate-limit.routes.charge.capacity=4";

	static final String CHARGE_PERIOD = "app.rate-limit.routes.charge.period=1h";

	/** Charges are not shed here, so a burst of them meets only the rate limit. */
	static final String CHARGE_NOT_SHED = "app.load-shedding.routes.charge.max-concurrent=0";

	/** Two claims at once per instance. */
	static final String ISSUE_CAP = "app.load-shedding.routes.coupon-issue.max-concurrent=2";

	static final String ISSUE_CAPACITY = "app.rate-limit.routes.coupon-issue.capacity=50";

	/** A busy test machine must not turn a slow Redis reply into a local decision (Redis cut is refused at once). */
	static final String REDIS_TIMEOUT = "app.rate-limit.redis-timeout=2s";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ConfigurableApplicationContext second;

	@Autowired
	ApplicationContext first;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	ConnectionFactory connections;

	@Autowired
	RedisFaultProxy redisProxy;

	@AfterAll
	static void stopSecond() {
		if (second != null) {
			second.close();
			second = null;
		}
	}

	/** Instance B: the same application and admission settings, its own server; A's connections. */
	private WebClient secondClient() {
		if (second == null) {
			second = SecondInstance.start(this.first, RATE_LIMITS, SHEDDING, SOLD_OUT, CHARGE_CAPACITY, CHARGE_PERIOD,
					CHARGE_NOT_SHED, ISSUE_CAP, ISSUE_CAPACITY, REDIS_TIMEOUT);
		}
		return WebClient.builder().baseUrl(SecondInstance.baseUrl(second)).build();
	}

	private WebClient firstClient() {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
	}

	/** An answer: status, headers, body. */
	record Answer(int status, HttpHeaders headers, String body) {

		Map<String, Object> json() {
			return JSON.readValue(this.body, new tools.jackson.core.type.TypeReference<Map<String, Object>>() {
			});
		}

	}

	private static Mono<Answer> post(WebClient client, String uri, String token, String body) {
		WebClient.RequestBodySpec request = client.post().uri(uri).headers((h) -> h.setBearerAuth(token));
		WebClient.RequestHeadersSpec<?> ready = (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body)
				: request;
		return ready.exchangeToMono((response) -> response.bodyToMono(String.class)
			.defaultIfEmpty("")
			.map((text) -> new Answer(response.statusCode().value(), response.headers().asHttpHeaders(), text)));
	}

	@Test
	void oneUsersBucketIsSharedByBothInstances() {
		String token = userToken(CouponFixtures.freshUsers(1));
		WebClient a = firstClient();
		WebClient b = secondClient();
		double localOnA = metric(a, "flashsale_admission_rate_limit_local_total{route=\"charge\"}");
		double localOnB = metric(b, "flashsale_admission_rate_limit_local_total{route=\"charge\"}");
		List<Mono<Answer>> calls = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			calls.add(post((i % 2 == 0) ? a : b, "/api/balance/charge", token, "{\"amount\":1000}"));
		}
		List<Answer> answers = Flux.merge(calls).collectList().block(Duration.ofSeconds(30));

		List<Answer> limited = answers.stream().filter((answer) -> answer.status() == 429).toList();
		// decided in Redis, not by a local bucket of each instance
		assertThat(metric(a, "flashsale_admission_rate_limit_local_total{route=\"charge\"}")).isEqualTo(localOnA);
		assertThat(metric(b, "flashsale_admission_rate_limit_local_total{route=\"charge\"}")).isEqualTo(localOnB);
		assertThat(limited).hasSize(8);
		assertThat(answers).filteredOn((answer) -> answer.status() != 429).hasSize(4);
		for (Answer answer : limited) {
			assertThat(answer.json()).containsEntry("code", "RATE_LIMITED").containsEntry("status", 429);
			assertThat(answer.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(Long.parseLong(answer.headers().getFirst(HttpHeaders.RETRY_AFTER))).isBetween(1L, 3600L);
			assertThat(answer.headers().getFirst("RateLimit-Policy")).isEqualTo("\"charge\";q=4;w=3600");
			assertThat(answer.headers().getFirst("RateLimit")).startsWith("\"charge\";r=0;t=");
		}
		// an admitted one says what is left
		assertThat(answers).filteredOn((answer) -> answer.status() != 429)
			.allSatisfy((answer) -> assertThat(answer.headers().getFirst("RateLimit")).matches("\"charge\";r=[0-3];t=\\d+"));
		// another user has a bucket of their own
		assertThat(post(b, "/api/balance/charge", userToken(CouponFixtures.freshUsers(1)), "{\"amount\":1000}")
			.block(Duration.ofSeconds(10)).status()).isNotEqualTo(429);
		String metrics = firstClient().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block();
		assertThat(metrics).containsPattern("flashsale_admission_refused_total\\{reason=\"rate_limited\",route=\"charge\"\\} [1-9]");
	}

	@Test
	void withoutRedisEachInstanceLimitsWithItsOwnBucket() {
		String token = userToken(CouponFixtures.freshUsers(1));
		WebClient a = firstClient();
		WebClient b = secondClient();
		double localBefore = metric(a, "flashsale_admission_rate_limit_local_total{route=\"charge\"}");
		this.redisProxy.cut();
		try {
			// one at a time: each answer is the charge's own (503: it needs Redis) until the local bucket is empty
			List<Integer> onA = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				onA.add(post(a, "/api/balance/charge", token, "{\"amount\":1000}").block(Duration.ofSeconds(10)).status());
			}
			assertThat(onA.subList(0, 4)).doesNotContain(429);
			assertThat(onA.subList(4, 6)).containsExactly(429, 429);
			// the other instance has a bucket of its own: fail open to a per-instance limit
			assertThat(post(b, "/api/balance/charge", token, "{\"amount\":1000}").block(Duration.ofSeconds(10)).status())
				.isNotEqualTo(429);
		}
		finally {
			this.redisProxy.restore();
		}
		// both instances back on Redis before the next test
		for (WebClient instance : List.of(a, b)) {
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> post(instance,
					"/api/balance/charge", userToken(CouponFixtures.freshUsers(1)), "{\"amount\":1000}")
				.block(Duration.ofSeconds(10)).status() != 503);
		}
		assertThat(metric(a, "flashsale_admission_rate_limit_local_total{route=\"charge\"}") - localBefore).isGreaterThanOrEqualTo(6);
	}

	@Test
	void adminRoutesAreNotRateLimited() {
		String admin = adminToken();
		for (int i = 0; i < 25; i++) {
			Answer answer = post(firstClient(), "/api/admin/coupons/reconcile", admin, null).block(Duration.ofSeconds(30));
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.headers().getFirst("RateLimit")).isNull();
		}
	}

	@Test
	void eachInstanceRunsAtMostItsCapAndRefusesTheRestAtOnce() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 100);
		long users = CouponFixtures.freshUsers(30);
		WebClient a = firstClient();
		WebClient b = secondClient();
		// the coupon row held: every admitted claim waits in its commit, holding its permit
		RowLock lock = RowLock.take(this.connections, couponId);
		List<Answer> admitted = new ArrayList<>();
		try {
			Flux<Answer> held = Flux.merge(claim(a, couponId, users), claim(a, couponId, users + 1),
					claim(b, couponId, users + 2), claim(b, couponId, users + 3))
				.doOnNext(admitted::add)
				.cache();
			held.subscribe();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> this.redis.opsForStream().size("coupon:{" + couponId + "}:log").block() == 4);
			List<Mono<Answer>> more = new ArrayList<>();
			for (int i = 4; i < 16; i++) {
				more.add(claim((i % 2 == 0) ? a : b, couponId, users + i));
			}
			List<Answer> refused = Flux.merge(more).collectList().block(Duration.ofSeconds(2));
			assertThat(refused).hasSize(12).allSatisfy((answer) -> {
				assertThat(answer.status()).isEqualTo(503);
				assertThat(answer.json()).containsEntry("code", "OVERLOADED");
				assertThat(answer.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
			});
			assertThat(admitted).isEmpty();
			lock.release();
			lock = null;
			held.blockLast(Duration.ofSeconds(10));
		}
		finally {
			if (lock != null) {
				lock.release();
			}
		}
		assertThat(admitted).hasSize(4).allSatisfy((answer) -> assertThat(answer.status()).isEqualTo(201));
		// the permits came back: a claim is admitted again
		assertThat(claim(b, couponId, users + 29).block(Duration.ofSeconds(10)).status()).isEqualTo(201);
		String metrics = firstClient().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block();
		assertThat(metrics).containsPattern("flashsale_admission_refused_total\\{reason=\"overloaded\",route=\"coupon-issue\"\\} [1-9]");
	}

	@Test
	void aSoldOutEventIsAnsweredFromMemoryOnBothInstancesWithTheFullPathsAnswer() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 2);
		long users = CouponFixtures.freshUsers(10);
		WebClient a = firstClient();
		WebClient b = secondClient();
		assertThat(claim(a, couponId, users).block().status()).isEqualTo(201);
		assertThat(claim(b, couponId, users + 1).block().status()).isEqualTo(201);
		// before anyone knows: the full path's answers
		Answer fullSoldOut = claim(b, couponId, users + 2).block();
		assertThat(fullSoldOut.status()).isEqualTo(410);
		Answer fullDuplicate = claim(b, couponId, users).block();
		assertThat(fullDuplicate.status()).isEqualTo(409);
		String state = "coupon:{" + couponId + "}:state";
		// B learnt it from its 410 and told A: once both know, no claim reaches Redis
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			Object before = this.redis.opsForHash().get(state, "n:SOLD_OUT").block();
			claim(a, couponId, users + 3).block();
			claim(b, couponId, users + 3).block();
			return before != null && before.equals(this.redis.opsForHash().get(state, "n:SOLD_OUT").block());
		});
		Object soldOutCount = this.redis.opsForHash().get(state, "n:SOLD_OUT").block();
		Object duplicateCount = this.redis.opsForHash().get(state, "n:DUPLICATE").block();
		for (WebClient instance : List.of(a, b)) {
			Answer soldOut = claim(instance, couponId, users + 4).block();
			assertThat(soldOut.status()).isEqualTo(410);
			assertThat(soldOut.json()).isEqualTo(fullSoldOut.json());
			Answer duplicate = claim(instance, couponId, users).block();
			assertThat(duplicate.status()).isEqualTo(409);
			assertThat(duplicate.json()).isEqualTo(fullDuplicate.json());
			assertThat(duplicate.headers().getContentType()).isEqualTo(fullDuplicate.headers().getContentType());
		}
		assertThat(this.redis.opsForHash().get(state, "n:SOLD_OUT").block()).isEqualTo(soldOutCount);
		assertThat(this.redis.opsForHash().get(state, "n:DUPLICATE").block()).isEqualTo(duplicateCount);
	}

	private static double metric(WebClient client, String series) {
		String metrics = client.get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block();
		return metrics.lines().filter((line) -> line.startsWith(series + " ")).mapToDouble((line) -> Double.parseDouble(
				line.substring(series.length() + 1))).findFirst().orElseThrow();
	}

	private Mono<Answer> claim(WebClient client, long couponId, long userId) {
		return post(client, "/api/coupons/" + couponId + "/issue", userToken(userId), null);
	}

	/** The coupon row locked by a transaction of the test's own, so claims wait in their commit. */
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
