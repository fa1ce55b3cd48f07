package com.example.flashsale.product;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.product.Inventory.Line;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ProductSoldOut} on its own (docs/operations.md "Admission: rate limits, load shedding, sold out
 * from memory"): a read of zero stock sent before stock came back teaches nothing; what was learnt is
 * forgotten after its TTL, and at once by a stock-back; an order is known refused only when all its lines are.
 */
class ProductSoldOutTest extends IntegrationTest {

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	ReactiveRedisConnectionFactory connections;

	private ProductSoldOut memory(Duration ttl) {
		return new ProductSoldOut(this.redis, this.connections, new ProductProperties(Duration.ofMinutes(5),
				Duration.ofMinutes(1), Duration.ofSeconds(60), Duration.ofSeconds(5), new ProductProperties.Reconcile(
						Duration.ofSeconds(30), Duration.ofSeconds(1)), true, ttl));
	}

	@Test
	void aZeroReadSentBeforeStockCameBackTeachesNothing() {
		ProductSoldOut memory = memory(Duration.ofHours(1));
		ProductSoldOut.Look before = memory.look();
		memory.stockBack(List.of(7L));

		memory.seenAtZero(1L, before);

		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isFalse();
		memory.seenAtZero(1L, memory.look());
		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isTrue();
	}

	@Test
	void everyLineMustBeKnownAndAStockBackForgetsAtOnce() {
		ProductSoldOut memory = memory(Duration.ofHours(1));
		memory.seenAtZero(1L, memory.look());

		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1), new Line(2L, 1)))).isFalse();
		memory.seenAtZero(2L, memory.look());
		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1), new Line(2L, 3)))).isTrue();

		memory.stockBack(List.of(2L));
		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1), new Line(2L, 1)))).isFalse();
		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isTrue();
	}

	@Test
	void whatWasLearntIsForgottenAfterItsTtl() throws InterruptedException {
		ProductSoldOut memory = memory(Duration.ofMillis(100));
		memory.seenAtZero(1L, memory.look());
		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isTrue();

		Thread.sleep(150);

		assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isFalse();
	}

	@Test
	void aStockBackPublishedByAnotherInstanceIsHeardAlsoAfterARestart() {
		ProductSoldOut memory = memory(Duration.ofHours(1));
		ProductSoldOut other = memory(Duration.ofHours(1));
		memory.start();
		memory.stop();
		memory.start();
		try {
			// the subscription is confirmed asynchronously: learn and announce until a message is heard
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
				memory.seenAtZero(1L, memory.look());
				assertThat(memory.knowsSoldOut(List.of(new Line(1L, 1)))).isTrue();
				other.stockBack(List.of(1L));
				Thread.sleep(100);
				return !memory.knowsSoldOut(List.of(new Line(1L, 1)));
			});
		}
		finally {
			memory.stop();
		}
	}

}
