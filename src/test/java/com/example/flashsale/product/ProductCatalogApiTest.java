package com.example.flashsale.product;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue of docs/api.md "Products" over HTTP: active list and single product through the Redis cache,
 * eviction on every admin change, the stampede guard on a cold cache, and the sellable stock in Redis.
 */
class ProductCatalogApiTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	MeterRegistry meters;

	@Autowired
	ProductStock stock;

	@Test
	void theListHasActiveProductsOnlyAndIsCachedForFiveMinutes() {
		long listed = ProductFixtures.create(this.client, adminToken(), "Listed", 1000, 5);
		long hidden = ProductFixtures.create(this.client, adminToken(), "Hidden", 1000, 5);
		ProductFixtures.patch(this.client, adminToken(), hidden, "{\"status\":\"INACTIVE\"}").expectStatus().isOk();

		List<Map<String, Object>> products = list();
		assertThat(products).extracting((p) -> ((Number) p.get("id")).longValue()).contains(listed).doesNotContain(hidden);
		assertThat(products).allSatisfy((p) -> assertThat(p).containsEntry("status", "ACTIVE")
			.containsOnlyKeys("id", "name", "price", "stock", "status"));
		Duration ttl = this.redis.getExpire(ProductKeys.ALL).block();
		assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void anEmptyCatalogueIsA200WithAnEmptyList() {
		// the shared test database always holds active products, so the empty catalogue is the cached one
		this.redis.opsForValue().set(ProductKeys.ALL, "{\"products\":[]}", Duration.ofSeconds(30)).block();
		try {
			this.client.get().uri("/api/products").headers((h) -> h.setBearerAuth(userToken(1))).exchange()
				.expectStatus().isOk()
				.expectBody().json("{\"products\":[]}", true);
		}
		finally {
			this.redis.delete(ProductKeys.ALL).block();
		}
	}

	@Test
	void oneProductByIdWhateverItsStatus() {
		long id = ProductFixtures.create(this.client, adminToken(), "Lamp", 45_000, 7);
		get(id).expectStatus().isOk()
			.expectBody().json("{\"id\":" + id + ",\"name\":\"Lamp\",\"price\":45000,\"stock\":7,\"status\":\"ACTIVE\"}", true);
		ProductFixtures.patch(this.client, adminToken(), id, "{\"status\":\"INACTIVE\"}").expectStatus().isOk();
		get(id).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("INACTIVE");
	}

	@Test
	void unknownAndMalformedIds() {
		expectProblem(get(8_000_000_000L), HttpStatus.NOT_FOUND, "PRODUCT_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/products/abc").headers((h) -> h.setBearerAuth(userToken(1))).exchange(),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		expectProblem(this.client.get().uri("/api/products/0").headers((h) -> h.setBearerAuth(userToken(1))).exchange(),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		expectProblem(this.client.get().uri("/api/products").exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void everyChangeIsVisibleAtOnceDespiteTheCache() {
		long id = ProductFixtures.create(this.client, adminToken(), "Kettle", 30_000, 10);
		assertThat(listed(id)).containsEntry("price", 30000);
		get(id).expectStatus().isOk();

		ProductFixtures.patch(this.client, adminToken(), id, "{\"price\":25000,\"name\":\"Kettle 2\"}").expectStatus().isOk()
			.expectBody().json("{\"id\":" + id + ",\"name\":\"Kettle 2\",\"price\":25000,\"stock\":10,\"status\":\"ACTIVE\"}", true);
		assertThat(listed(id)).containsEntry("price", 25000).containsEntry("name", "Kettle 2");
		get(id).expectBody().jsonPath("$.price").isEqualTo(25000);

		ProductFixtures.patch(this.client, adminToken(), id, "{\"stock\":4}").expectStatus().isOk();
		assertThat(listed(id)).containsEntry("stock", 4);
		get(id).expectBody().jsonPath("$.stock").isEqualTo(4);

		long created = ProductFixtures.create(this.client, adminToken(), "New arrival", 1000, 1);
		assertThat(listed(created)).containsEntry("name", "New arrival");
	}

	@Test
	void aColdCacheUnderABurstLoadsTheDatabaseOnce() {
		ProductFixtures.create(this.client, adminToken(), "Burst", 1000, 1); // evicts products:all
		double before = loads();
		WebClient web = parallelClient();
		String token = userToken(1);

		List<Integer> statuses = Flux.range(0, 500)
			.flatMap((i) -> status(web.get().uri("/api/products").headers((h) -> h.setBearerAuth(token))), 500)
			.collectList()
			.block(Duration.ofSeconds(60));

		assertThat(statuses).hasSize(500).containsOnly(200);
		assertThat(loads() - before).isEqualTo(1.0);
	}

	@Test
	void aNewProductsSellableStockIsInRedis() {
		long id = ProductFixtures.create(this.client, adminToken(), "Stocked", 1000, 42);
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(id)).block()).isEqualTo("42");
	}

	@Test
	void aStockChangeMovesTheSellableStockByTheSameDelta() {
		long id = ProductFixtures.create(this.client, adminToken(), "Reserved", 1000, 10);
		// three units reserved by orders in flight
		this.redis.opsForValue().decrement(ProductKeys.stock(id), 3).block();

		ProductFixtures.patch(this.client, adminToken(), id, "{\"stock\":15}").expectStatus().isOk();
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(id)).block()).isEqualTo("12");
		ProductFixtures.patch(this.client, adminToken(), id, "{\"price\":2000}").expectStatus().isOk();
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(id)).block()).isEqualTo("12");

		// a missing key stays missing: its next use loads it from MySQL (durable minus units in flight)
		this.redis.delete(ProductKeys.stock(id)).block();
		ProductFixtures.patch(this.client, adminToken(), id, "{\"stock\":9}").expectStatus().isOk();
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(id)).block()).isNull();
		assertThat(this.stock.available(id).block()).isEqualTo(9L);
	}

	@Test
	void missingStockKeysAreLoadedFromMySqlAtStartupAndOnDemand() {
		long first = ProductFixtures.create(this.client, adminToken(), "Lost 1", 1000, 11);
		long second = ProductFixtures.create(this.client, adminToken(), "Lost 2", 1000, 22);
		this.redis.delete(ProductKeys.stock(first), ProductKeys.stock(second)).block();
		// a present key already counts reservations in flight: loading must keep it
		long third = ProductFixtures.create(this.client, adminToken(), "Reserved 3", 1000, 33);
		this.redis.opsForValue().set(ProductKeys.stock(third), "30").block();

		assertThat(this.stock.loadAll().block()).isGreaterThanOrEqualTo(2);
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(first)).block()).isEqualTo("11");
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(second)).block()).isEqualTo("22");
		assertThat(this.redis.opsForValue().get(ProductKeys.stock(third)).block()).isEqualTo("30");

		this.redis.delete(ProductKeys.stock(second)).block();
		assertThat(this.stock.available(second).block()).isEqualTo(22L);
		assertThat(this.stock.available(9_000_000_000L).blockOptional()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"name\":null}", "{\"price\":-1}", "{\"stock\":-1}", "{\"stock\":1.5}",
			"{\"status\":\"SOLD\"}", "{\"name\":\"   \"}", "{\"price\":\"cheap\"}", "[" })
	void invalidPatchesAre400AndChangeNothing(String body) {
		long id = ProductFixtures.create(this.client, adminToken(), "Fixed", 1000, 3);
		expectProblem(ProductFixtures.patch(this.client, adminToken(), id, body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		Map<String, Object> row = this.db.sql("SELECT name, price, stock, status FROM products WHERE id = ?").bind(0, id)
			.fetch().one().block();
		assertThat(row).containsEntry("name", "Fixed").containsEntry("price", 1000L).containsEntry("stock", 3)
			.containsEntry("status", "ACTIVE");
	}

	@Test
	void patchingAnUnknownProductIs404AndUsersAreForbidden() {
		expectProblem(ProductFixtures.patch(this.client, adminToken(), 8_000_000_000L, "{\"price\":1}"), HttpStatus.NOT_FOUND,
				"PRODUCT_NOT_FOUND");
		long id = ProductFixtures.create(this.client, adminToken(), "Mine", 1000, 3);
		expectProblem(ProductFixtures.patch(this.client, userToken(5), id, "{\"price\":1}"), HttpStatus.FORBIDDEN, "FORBIDDEN");
	}

	private WebTestClient.ResponseSpec get(long id) {
		return this.client.get().uri("/api/products/{id}", id).headers((h) -> h.setBearerAuth(userToken(1))).exchange();
	}

	private List<Map<String, Object>> list() {
		Map<String, Object> body = this.client.get().uri("/api/products").headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange()
			.expectStatus().isOk()
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> products = (List<Map<String, Object>>) body.get("products");
		return products;
	}

	private Map<String, Object> listed(long id) {
		return list().stream().filter((p) -> ((Number) p.get("id")).longValue() == id).findFirst().orElseThrow();
	}

	private double loads() {
		return this.meters.counter("flashsale.cache.loads", "cache", ProductKeys.ALL).count();
	}

}
