package com.example.flashsale.support.startup;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup warm-up (docs/operations.md "Cold start") in a context of its own with it switched on: it drives
 * the coupon, order and catalog routes before the service is ready, readiness stays OUT_OF_SERVICE (503)
 * while liveness is UP until it is over, and it leaves no trace: no business table changed, no row or Redis
 * key under the reserved ids, nothing counted in the business metrics.
 */
@DirtiesContext
@Import(WarmUpTest.ProbeConfig.class)
// more workers than warm-up routes, so each route is called in the first round, and a timeout no slow
// machine reaches, so every request is answered before the clean-up
// (and the coupon claims answered from memory on, as in production: the warm-up drives that path too);
// the issue log recovery of this context replays nothing: it would write to coupons and user_coupons, while
// the warm-up runs, the claims an earlier run's tests left in Redis
@TestPropertySource(properties = { "app.warmup.enabled=true", "app.warmup.duration=3s", "app.warmup.concurrency=8",
		"app.warmup.timeout=60s", "app.coupon.sold-out-from-memory=true", "app.coupon.recovery.min-age=3650d" })
class WarmUpTest extends IntegrationTest {

	/** Tables the warm-up could touch, compared row for row (CHECKSUM TABLE) before and after it. */
	private static final List<String> UNCHANGED = List.of("users", "balance_transactions", "products", "coupons",
			"user_coupons");

	/**
	 * Real users' refusals recorded in the hour before the warm-up, compared row for row: a refusal an
	 * earlier test's request records late may land while the warm-up runs (seen in CI), and the purge job
	 * deletes expired ones. The reserved users' rows are the warm-up's (an earlier run's late ones are
	 * deleted by this run's clean-up); the test looks for those separately.
	 */
	private static final String RECENT_REFUSALS = "SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', "
			+ "user_id, idempotency_key, request_hash, response_status, response_body, created_at))), 0)) AS digest "
			+ "FROM order_refusals WHERE created_at < ? AND created_at >= ? AND user_id < " + WarmUpIdentity.FIRST_USER_ID;

	/**
	 * Tables a background job of the context may update in place: their row counts are compared. Not
	 * product_sales_stats: the popular-products job of this new context recomputes it from committed PAID
	 * orders at startup when it is stale (on a fresh database, rows for the orders of earlier tests), at any
	 * moment of the warm-up; it reads committed rows only, so a rehearsal's rolled-back order never counts.
	 */
	private static final List<String> SAME_COUNT = List.of("orders", "order_items", "payments", "order_events");

	/** More ids than a warm-up of this test can rehearse: where its leftovers would be looked for. */
	private static final long REHEARSED_IDS = 1_000_000;

	@Autowired
	private Probe probe;

	@Autowired
	private WarmUp warmUp;

	@Autowired
	private ApplicationAvailability availability;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private ReactiveStringRedisTemplate redis;

	@Autowired
	private MeterRegistry meters;

	@Test
	void readyOnlyAfterTheWarmUpWhichDrivesTheHotPathsAndChangesNoUserData() {
		// it ran the real routes: sold-out coupon (410), order refusal and unknown ids (404), the catalog (200);
		// and paid orders, rehearsed in transactions rolled back
		assertThat(this.warmUp.answers()).containsKeys("410", "404", "200", "PAID");
		// while it ran (at its clean-up): alive, not ready; now ready
		assertThat(this.probe.readinessDuringWarmUp).isEqualTo(503);
		assertThat(this.probe.livenessDuringWarmUp).isEqualTo(200);
		assertThat(this.probe.stateDuringWarmUp).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		assertThat(this.availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(this.availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);
		this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

		// no user data changed, nothing left under the reserved ids
		assertThat(snapshot(this.db, this.probe.beforeAt)).isEqualTo(this.probe.before);
		assertThat(this.db.sql("SELECT COUNT(*) AS n FROM order_refusals WHERE user_id >= ?")
			.bind(0, WarmUpIdentity.FIRST_USER_ID)
			.map((row) -> row.get("n", Long.class))
			.one()
			.block()).isZero();
		// the warm-up's idempotency records, its users' locks, the synthetic event's state, the unknown
		// product's cache entry (other tests use ids near Long.MAX_VALUE too: only the warm-up's are looked for)
		List<String> patterns = new ArrayList<>(List.of("*:" + WarmUpCall.KEY_PREFIX + "*",
				"coupon:{" + WarmUpIdentity.COUPON_ID + "}*", "coupon:{" + WarmUpIdentity.REMEMBERED_COUPON_ID + "}*",
				"*product:" + WarmUpIdentity.PRODUCT_ID,
				"*product:" + WarmUpIdentity.PRODUCT_ID + "}*"));
		// every synthetic user's keys but the last one's, whose id is also the synthetic event's and product's
		// (looked for above) and another test's unknown id
		assertThat(this.redis.scan(ScanOptions.scanOptions().match("*{" + WarmUpIdentity.USER_ID_GLOB + "}*").count(1000).build())
			.filter((key) -> !key.contains(Long.toString(Long.MAX_VALUE)))
			.collectList()
			.block()).isEmpty();
		for (String pattern : patterns) {
			assertThat(this.redis.scan(ScanOptions.scanOptions().match(pattern).count(1000).build()).collectList().block())
				.as(pattern)
				.isEmpty();
		}

		// the rehearsals' rows were rolled back (above: no table changed) and their Redis keys deleted: the
		// sellable stock and cache entries of products, the reservation records and status logs of orders, with
		// ids above every committed one (and below the made-up ids other tests use, from 8,000,000,000)
		Map<String, Long> above = Map.of("stock:{catalog}:*", this.probe.maxProductId, "product:*",
				this.probe.maxProductId, "product-offer:*", this.probe.maxProductId, "reservation:{catalog}:*",
				this.probe.maxOrderId, "order-status:*", this.probe.maxOrderId);
		above.forEach((pattern, max) -> assertThat(this.redis.scan(ScanOptions.scanOptions().match(pattern).count(1000).build())
			.map((key) -> key.substring(key.lastIndexOf(':') + 1))
			.filter((id) -> id.matches("[0-9]{1,18}") && Long.parseLong(id) > max
					&& Long.parseLong(id) <= max + REHEARSED_IDS)
			.collectList()
			.block()).as(pattern).isEmpty());

		// nothing in the business metrics
		for (long coupon : List.of(WarmUpIdentity.COUPON_ID, WarmUpIdentity.REMEMBERED_COUPON_ID)) {
			assertThat(this.meters.find("coupon.issue.requests").tag("coupon", Long.toString(coupon)).counters()).isEmpty();
		}
		assertThat(this.meters.find("orders.placed").counters()).isEmpty();

		// the event this instance was told is sold out for the warm-up is forgotten: a claim of it takes the full
		// path, which finds no such event
		expectProblem(this.client.post()
			.uri("/api/coupons/" + WarmUpIdentity.REMEMBERED_COUPON_ID + "/issue")
			.headers((headers) -> headers.setBearerAuth(userToken(1)))
			.exchange(), HttpStatus.NOT_FOUND, "COUPON_NOT_FOUND");
	}

	/** Per table: its checksum or row count; the refusals recorded in the hour before {@code at}. */
	static Map<String, Object> snapshot(DatabaseClient db, LocalDateTime at) {
		Map<String, Object> snapshot = new LinkedHashMap<>();
		snapshot.put("order_refusals", db.sql(RECENT_REFUSALS).bind(0, at).bind(1, at.minusHours(1))
			.map((row) -> row.get("digest", String.class)).one().block(Duration.ofSeconds(30)));
		for (String table : UNCHANGED) {
			snapshot.put(table, db.sql("CHECKSUM TABLE " + table).map((row) -> String.valueOf(row.get(1))).one()
				.block(Duration.ofSeconds(30)));
		}
		for (String table : SAME_COUNT) {
			snapshot.put(table, db.sql("SELECT COUNT(*) AS n FROM " + table).map((row) -> row.get("n", Long.class)).one()
				.block(Duration.ofSeconds(30)));
		}
		return snapshot;
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ProbeConfig {

		@Bean
		Probe warmUpProbe(DatabaseClient db, Environment environment, ApplicationAvailability availability) {
			return new Probe(db, environment, availability);
		}

	}

	/**
	 * A fixture that takes the snapshot before any fixture prepares anything (first in order; its
	 * {@code prepare()} works when called, the others' when subscribed) and, at the clean-up, asks the
	 * service for its readiness and liveness over HTTP.
	 */
	@Order(Ordered.HIGHEST_PRECEDENCE)
	static class Probe implements WarmUpFixture {

		private final DatabaseClient db;

		private final Environment environment;

		private final ApplicationAvailability availability;

		volatile Map<String, Object> before;

		/** When {@link #before} was taken, in UTC as MySQL stores it. */
		volatile LocalDateTime beforeAt;

		/** The largest committed product and order ids before the warm-up. */
		volatile long maxProductId;

		volatile long maxOrderId;

		volatile int readinessDuringWarmUp;

		volatile int livenessDuringWarmUp;

		volatile ReadinessState stateDuringWarmUp;

		Probe(DatabaseClient db, Environment environment, ApplicationAvailability availability) {
			this.db = db;
			this.environment = environment;
			this.availability = availability;
		}

		@Override
		public Mono<Void> prepare() {
			this.beforeAt = LocalDateTime.now(ZoneOffset.UTC);
			this.before = snapshot(this.db, this.beforeAt);
			this.maxProductId = maxId(this.db, "products");
			this.maxOrderId = maxId(this.db, "orders");
			return Mono.empty();
		}

		@Override
		public List<WarmUpCall> calls() {
			return List.of();
		}

		private static long maxId(DatabaseClient db, String table) {
			return db.sql("SELECT COALESCE(MAX(id), 0) AS id FROM " + table)
				.map((row) -> row.get("id", Long.class))
				.one()
				.block(Duration.ofSeconds(30));
		}

		@Override
		public Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
			WebClient web = WebClient.create("http://127.0.0.1:" + this.environment.getProperty("local.server.port"));
			return Mono.defer(() -> {
				this.stateDuringWarmUp = this.availability.getReadinessState();
				return status(web, "/actuator/health/readiness");
			})
				.doOnNext((status) -> this.readinessDuringWarmUp = status)
				.then(status(web, "/actuator/health/liveness"))
				.doOnNext((status) -> this.livenessDuringWarmUp = status)
				.then();
		}

		private static Mono<Integer> status(WebClient web, String path) {
			return web.get().uri(path).exchangeToMono((response) -> response.releaseBody()
				.thenReturn(response.statusCode().value()));
		}

	}

}
