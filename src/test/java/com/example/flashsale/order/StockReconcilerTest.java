package com.example.flashsale.order;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.support.redis.LuaScripts;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stock reconciler (docs/operations.md "Reconcilers") through {@code POST /api/admin/products/reconcile}:
 * it repairs a sellable stock that drifted from durable stock minus the units of PENDING orders, counts the
 * repair, and leaves reservations in flight alone.
 */
class StockReconcilerTest extends IntegrationTest {

	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga",
			"com.example.flashsale.product.StockReconciler");

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseFaults faults;

	@Autowired
	MeterRegistry meters;

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	/** A product of 10 units, 3 of them held by a PENDING order: its sellable stock is 7. */
	private long productWithAnOrderInFlight() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Reconciled", 1_000, 10);
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);
		OrderFixtures.pendingOrder(this.client, this.faults, userToken(userId), productId, 3);
		assertThat(sellable(productId)).isEqualTo("7");
		return productId;
	}

	private String sellable(long productId) {
		return this.redis.opsForValue().get(ProductKeys.stock(productId)).block();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> repairsOf(long productId) {
		Map<String, Object> report = this.client.post().uri("/api/admin/products/reconcile")
			.headers((h) -> h.setBearerAuth(adminToken())).exchange().expectStatus().isOk()
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
		assertThat(((Number) report.get("checked")).intValue()).isPositive();
		return ((List<Map<String, Object>>) report.get("repairs")).stream()
			.filter((repair) -> ((Number) repair.get("productId")).longValue() == productId)
			.toList();
	}

	private double repairs(String kind) {
		return this.meters.counter("flashsale.reconciler.repairs", "target", "stock", "kind", kind).count();
	}

	@Test
	void anOverstatedSellableStockIsRepairedAndCounted() {
		long productId = productWithAnOrderInFlight();
		this.redis.opsForValue().set(ProductKeys.stock(productId), "12").block();
		double before = repairs("over");

		assertThat(repairsOf(productId)).singleElement()
			.satisfies((repair) -> assertThat(repair).containsEntry("kind", "over").containsEntry("redis", 12)
				.containsEntry("expected", 7));
		assertThat(sellable(productId)).isEqualTo("7");
		assertThat(repairs("over")).isEqualTo(before + 1);
	}

	@Test
	void anUnderstatedSellableStockIsRepaired() {
		long productId = productWithAnOrderInFlight();
		this.redis.opsForValue().set(ProductKeys.stock(productId), "2").block();

		assertThat(repairsOf(productId)).singleElement()
			.satisfies((repair) -> assertThat(repair).containsEntry("kind", "under").containsEntry("expected", 7));
		assertThat(sellable(productId)).isEqualTo("7");
	}

	@Test
	void aMissingSellableStockIsLoadedWithoutTheUnitsInFlight() {
		long productId = productWithAnOrderInFlight();
		this.redis.delete(ProductKeys.stock(productId)).block();

		assertThat(repairsOf(productId)).singleElement()
			.satisfies((repair) -> assertThat(repair).containsEntry("kind", "missing").containsEntry("expected", 7));
		assertThat(sellable(productId)).isEqualTo("7");
	}

	@Test
	void reservationsInFlightAreNotDrift() {
		long productId = productWithAnOrderInFlight();

		assertThat(repairsOf(productId)).isEmpty();
		assertThat(sellable(productId)).isEqualTo("7");
	}

	@Test
	void aRepairOfAValueThatMovedSinceItWasObservedChangesNothing() {
		long productId = productWithAnOrderInFlight();
		// observed 12, but a reservation took one meanwhile
		this.redis.opsForValue().set(ProductKeys.stock(productId), "11").block();

		assertThat(this.redis.execute(LuaScripts.STOCK_REPAIR, List.of(ProductKeys.stock(productId)), List.of("12", "7"))
			.next().block()).isZero();
		assertThat(sellable(productId)).isEqualTo("11");
	}

}
