package com.example.flashsale.order;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/flows.md "Order and payment": an order pays the price MySQL has committed, read inside the payment
 * transaction, whatever the product cache still says (a change whose evictions failed).
 */
class OrderPricingTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	/** The product as the cache serves it, then changed in MySQL only (its evictions failed). */
	private long productCachedThenChanged(String change) {
		long productId = ProductFixtures.create(this.client, adminToken(), "Repriced", 1_000, 10);
		this.client.get().uri("/api/products/{id}", productId).headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange().expectStatus().isOk();
		this.db.sql("UPDATE products SET " + change + " WHERE id = ?").bind(0, productId).then().block();
		return productId;
	}

	@Test
	void anOrderPaysTheCommittedPriceNotTheCachedOne() {
		long productId = productCachedThenChanged("price = 2500");
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);

		Map<String, Object> paid = place(this.client, userToken(userId), newKey(), body(productId, 2)).expectStatus()
			.isCreated().expectBody(ProductFixtures.JSON).returnResult().getResponseBody();

		assertThat(paid).containsEntry("totalAmount", 5_000).containsEntry("paidAmount", 5_000);
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(15_000);
		long orderId = ((Number) paid.get("orderId")).longValue();
		assertThat(OrderFixtures.count(this.db, "SELECT unit_price AS n FROM order_items WHERE order_id = ?", orderId))
			.isEqualTo(2_500);
		assertThat(OrderFixtures.count(this.db, "SELECT total_amount AS n FROM orders WHERE id = ?", orderId))
			.isEqualTo(5_000);
	}

	@Test
	void aProductTakenOffSaleIsNotSoldFromAStaleCache() {
		long productId = productCachedThenChanged("status = 'INACTIVE'");
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 20_000);

		expectProblem(place(this.client, userToken(userId), newKey(), body(productId, 1)), HttpStatus.CONFLICT,
				"PRODUCT_NOT_AVAILABLE");
		assertThat(BalanceFixtures.balance(this.db, userId)).isEqualTo(20_000);
		assertThat(OrderFixtures.durableStock(this.db, productId)).isEqualTo(10);
	}

}
