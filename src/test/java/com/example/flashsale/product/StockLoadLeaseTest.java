package com.example.flashsale.product;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.redis.LuaScripts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/redis.md "Sellable stock": a missing stock key is loaded by one caller at a time, under its load
 * lease; a load whose lease was taken over installs nothing (its MySQL read may be older than sales made
 * since), and a reservation that finds another caller loading waits for the key.
 */
class StockLoadLeaseTest extends IntegrationTest {

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	ProductStock stock;

	@Autowired
	Inventory inventory;

	@Test
	void oneLoaderAtATimeAndALoadWhoseLeaseWasTakenOverInstallsNothing() {
		long productId = lostKey("Leased load", 10);
		assertThat(lease(productId, "a")).isEqualTo(1L);

		// another caller while "a" loads: leaves the key to it
		assertThat(this.stock.loadMissing(List.of(productId)).block()).isZero();
		assertThat(lease(productId, "b")).isEqualTo(2L);
		assertThat(sellable(productId)).isNull();

		// "a" was too slow: its lease ran out and "b" took the key over; a's install is refused, b's lands
		this.redis.delete(ProductKeys.loadLease(productId)).block();
		assertThat(lease(productId, "b")).isEqualTo(1L);
		assertThat(install(productId, "a", 99)).isZero();
		assertThat(sellable(productId)).isNull();
		assertThat(install(productId, "b", 10)).isEqualTo(1L);
		assertThat(sellable(productId)).isEqualTo("10");
		assertThat(this.redis.hasKey(ProductKeys.loadLease(productId)).block()).isFalse();
		// a resent install finds its lease gone and sets nothing again
		assertThat(install(productId, "b", 7)).isZero();
		assertThat(sellable(productId)).isEqualTo("10");
	}

	@Test
	void aReservationWaitsForTheCallerLoadingTheKeyThenReserves() throws InterruptedException {
		long productId = lostKey("Reserved while loading", 5);
		assertThat(lease(productId, "loader")).isEqualTo(1L);
		long orderId = Long.MAX_VALUE / 3 - productId;
		List<Line> lines = List.of(new Line(productId, 1));
		Mono<Void> reserved = this.inventory.reserve(orderId, lines).cache();
		reserved.subscribe((done) -> { }, (ex) -> { });
		try {
			Thread.sleep(300);
			assertThat(sellable(productId)).isNull();
			assertThat(install(productId, "loader", 5)).isEqualTo(1L);

			reserved.block(Duration.ofSeconds(10));
			assertThat(sellable(productId)).isEqualTo("4");
		}
		finally {
			this.inventory.release(orderId, lines).block(Duration.ofSeconds(5));
		}
		assertThat(sellable(productId)).isEqualTo("5");
	}

	@Test
	void aReservationWhoseKeyNoOneLoadsInTimeIsRefusedAndTakesNothing() {
		long productId = lostKey("Never loaded", 5);
		assertThat(lease(productId, "stuck")).isEqualTo(1L);
		long orderId = Long.MAX_VALUE / 3 - productId;

		assertThatThrownBy(() -> this.inventory.reserve(orderId, List.of(new Line(productId, 1))).block(Duration.ofSeconds(10)))
			.isInstanceOfSatisfying(ProblemException.class,
					(problem) -> assertThat(problem.code()).isEqualTo(ErrorCode.INSUFFICIENT_STOCK));
		assertThat(this.redis.hasKey(ProductKeys.reservation(orderId)).block()).isFalse();
		assertThat(sellable(productId)).isNull();
	}

	/** A new product whose stock key Redis lost. */
	private long lostKey(String name, int units) {
		long productId = ProductFixtures.create(this.client, adminToken(), name, 1_000, units);
		this.redis.delete(ProductKeys.stock(productId)).block();
		return productId;
	}

	private Long lease(long productId, String token) {
		List<?> answers = this.redis.execute(LuaScripts.STOCK_LOAD_LEASE,
				List.of(ProductKeys.stock(productId), ProductKeys.loadLease(productId)), List.of(token, "60000"))
			.next()
			.block();
		return ((Number) answers.get(0)).longValue();
	}

	private Long install(long productId, String token, long sellable) {
		return this.redis.execute(LuaScripts.STOCK_LOAD,
				List.of(ProductKeys.stock(productId), ProductKeys.loadLease(productId)), List.of(token, Long.toString(sellable)))
			.next()
			.block();
	}

	private String sellable(long productId) {
		return this.redis.opsForValue().get(ProductKeys.stock(productId)).block();
	}

}
