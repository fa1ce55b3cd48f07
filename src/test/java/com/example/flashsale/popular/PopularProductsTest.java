package com.example.flashsale.popular;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.order.OrderSales.DailySales;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.product.ProductFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Popular products (docs/flows.md "Popular products"): the aggregation of PAID orders into daily statistics,
 * the ranking endpoint through its cache, its bounds, and the startup run when the table is stale. Other
 * tests sell other products on the same day, so the assertions look at this test's own products, which sell
 * far more units than any other test's.
 */
class PopularProductsTest extends IntegrationTest {

	private static final AtomicLong keys = new AtomicLong(System.nanoTime());

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	PopularProducts popular;

	@Autowired
	PopularRepository repository;

	@Autowired
	TransactionalOperator transactional;

	private long buyer() {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		BalanceFixtures.seedCharges(this.db, userId, 1, 100_000);
		return userId;
	}

	private void buy(long userId, long productId, int quantity, HttpStatus expected) {
		this.client.post().uri("/api/orders")
			.headers((h) -> {
				h.setBearerAuth(userToken(userId));
				h.set("Idempotency-Key", "popular-" + keys.incrementAndGet());
			})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"items\":[{\"productId\":" + productId + ",\"quantity\":" + quantity + "}]}")
			.exchange()
			.expectStatus().isEqualTo(expected);
	}

	private static LocalDate today() {
		return LocalDate.now(ZoneOffset.UTC);
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> ranking(String query) {
		Map<String, Object> body = this.client.get().uri("/api/products/popular" + query)
			.headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		return (List<Map<String, Object>>) body.get("products");
	}

	private static Map<String, Object> entry(List<Map<String, Object>> ranking, long productId) {
		return ranking.stream().filter((p) -> ((Number) p.get("productId")).longValue() == productId).findFirst().orElse(null);
	}

	@Test
	void paidQuantitiesAreAggregatedAndRankedThroughTheCache() {
		long first = ProductFixtures.create(this.client, adminToken(), "Best seller", 1, 5_000);
		long second = ProductFixtures.create(this.client, adminToken(), "Runner-up", 1, 5_000);
		long hidden = ProductFixtures.create(this.client, adminToken(), "Withdrawn", 1, 5_000);
		long buyer = buyer();
		for (int i = 0; i < 12; i++) {
			buy(buyer, first, 100, HttpStatus.CREATED);
		}
		for (int i = 0; i < 11; i++) {
			buy(buyer, second, 100, HttpStatus.CREATED);
		}
		buy(buyer, hidden, 100, HttpStatus.CREATED);
		long broke = BalanceFixtures.newAccount(this.client, adminToken());
		buy(broke, second, 100, HttpStatus.PAYMENT_REQUIRED);
		ProductFixtures.patch(this.client, adminToken(), hidden, "{\"status\":\"INACTIVE\"}").expectStatus().isOk();
		this.redis.delete(PopularKeys.ranking(1, 50), PopularKeys.ranking(2, 50)).block();

		assertThat(this.popular.aggregate(today(), today()).block()).isPositive();

		assertThat(this.db.sql("SELECT quantity FROM product_sales_stats WHERE product_id = ? AND sales_date = ?")
			.bind(0, second).bind(1, today()).map((row) -> row.get("quantity", Long.class)).one().block())
			.as("the FAILED order is not counted").isEqualTo(1_100);
		List<Map<String, Object>> ranking = ranking("?days=1&limit=50");
		Map<String, Object> best = entry(ranking, first);
		Map<String, Object> runnerUp = entry(ranking, second);
		assertThat(best).containsEntry("name", "Best seller").containsEntry("totalSales", 1_200).containsEntry("price", 1);
		assertThat(runnerUp).containsEntry("totalSales", 1_100);
		assertThat((int) runnerUp.get("rank")).isEqualTo((int) best.get("rank") + 1);
		assertThat(entry(ranking, hidden)).as("an INACTIVE product is not offered").isNull();
		for (int i = 1; i < ranking.size(); i++) {
			assertThat(((Number) ranking.get(i).get("totalSales")).longValue())
				.isLessThanOrEqualTo(((Number) ranking.get(i - 1).get("totalSales")).longValue());
			assertThat(ranking.get(i).get("rank")).isEqualTo(i + 1);
		}

		// cached: new sales show only after the next aggregation and the entry's expiry
		assertThat(entry(ranking("?days=2&limit=50"), second)).containsEntry("totalSales", 1_100);
		buy(buyer, second, 100, HttpStatus.CREATED);
		buy(buyer, second, 100, HttpStatus.CREATED);
		ranking("?days=3&limit=5");
		assertThat(this.redis.hasKey(PopularKeys.ranking(3, 5)).block()).isTrue();
		this.popular.aggregate(today(), today()).block();
		assertThat(entry(ranking("?days=2&limit=50"), second)).as("still the cached ranking").containsEntry("totalSales", 1_100);
		assertThat(this.redis.hasKey(PopularKeys.ranking(3, 5)).block()).as("the default query is evicted").isFalse();
		this.redis.delete(PopularKeys.ranking(2, 50)).block();
		assertThat(entry(ranking("?days=2&limit=50"), second)).containsEntry("totalSales", 1_300);
	}

	@Test
	void theDefaultWindowIsThreeDaysAndBoundsAreValidated() {
		Map<String, Object> body = this.client.get().uri("/api/products/popular").headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		assertThat(body.get("to")).isEqualTo(today().toString());
		assertThat(body.get("from")).isEqualTo(today().minusDays(2).toString());
		assertThat((List<?>) body.get("products")).hasSizeLessThanOrEqualTo(5);
		for (String query : List.of("?days=0", "?days=31", "?days=-1", "?days=abc", "?limit=0", "?limit=51", "?limit=2.5")) {
			expectProblem(this.client.get().uri("/api/products/popular" + query).headers((h) -> h.setBearerAuth(userToken(1)))
				.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		}
	}

	/**
	 * Many more rows than one insert takes ({@link PopularRepository#ROWS_PER_INSERT}), read by a query on the
	 * transaction's own connection (as the aggregation reads the paid orders): every row is written, within
	 * the statement bound.
	 */
	@Test
	void moreRowsThanOneInsertTakesAreWrittenFromAQueryOnTheSameConnection() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Sold every day", 1, 100);
		// 10,000 rows of about 200 bytes: more than the driver reads ahead while its reader asks for no more
		int days = 10_000;
		LocalDate first = LocalDate.of(2001, 1, 1);
		try {
			Flux<DailySales> sales = this.db
				.sql("WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99) "
						+ "SELECT a.i * 100 + b.i AS i, REPEAT('x', 200) AS pad FROM n a CROSS JOIN n b")
				.map((row) -> new DailySales(productId, first.plusDays(row.get("i", Long.class)), 1))
				.all();
			Long written = this.repository.insert(sales, Instant.now())
				.as(this.transactional::transactional)
				.block(Duration.ofSeconds(30));
			assertThat(written).isEqualTo(days);
			assertThat(this.db.sql("SELECT COUNT(*) AS n FROM product_sales_stats WHERE product_id = ?").bind(0, productId)
				.map((row) -> row.get("n", Long.class)).one().block()).isEqualTo(days);
		}
		finally {
			this.db.sql("DELETE FROM product_sales_stats WHERE product_id = ?").bind(0, productId).then().block();
		}
	}

	@Test
	void aStaleTableIsRecomputedAndAFreshOneIsLeftAlone() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Sold before", 1, 100);
		buy(buyer(), productId, 3, HttpStatus.CREATED);
		this.db.sql("UPDATE product_sales_stats SET updated_at = UTC_TIMESTAMP(6) - INTERVAL 2 DAY").then().block();

		assertThat(this.popular.aggregateIfStale().block()).isPositive();
		assertThat(this.db.sql("SELECT quantity FROM product_sales_stats WHERE product_id = ?").bind(0, productId)
			.map((row) -> row.get("quantity", Long.class)).one().block()).isEqualTo(3);
		assertThat(this.popular.aggregateIfStale().blockOptional()).as("fresh now: nothing to do").isEmpty();
	}

}
