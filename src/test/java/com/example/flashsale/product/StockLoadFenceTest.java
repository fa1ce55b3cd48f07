package com.example.flashsale.product;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.redis.LuaScripts;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/redis.md "Sellable stock": a load installs a missing stock key only if no other load installed it
 * since this load read the key's generation, so a value read from MySQL before another load's key was sold
 * from cannot come back after a second loss.
 */
class StockLoadFenceTest extends IntegrationTest {

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	ProductStock stock;

	@Test
	void aLoadThatReadBeforeAnotherLoadsInstallInstallsNothingAfterASecondLoss() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Fenced load", 1_000, 10);
		this.redis.delete(ProductKeys.stock(productId)).block();
		// load A reads the generation (then MySQL: 10) and is slow to install
		String readByA = generation(productId);

		// meanwhile load B installs, the key is sold from, and Redis loses it again
		assertThat(this.stock.loadMissing(List.of(productId)).block()).isEqualTo(1L);
		assertThat(generation(productId)).isNotEqualTo(readByA);
		this.redis.opsForValue().decrement(ProductKeys.stock(productId), 3).block();
		this.redis.delete(ProductKeys.stock(productId)).block();

		// A's install, read before those sales, is refused; a fresh load installs
		assertThat(install(productId, "a", 10, readByA)).isZero();
		assertThat(sellable(productId)).isNull();
		assertThat(this.stock.loadMissing(List.of(productId)).block()).isEqualTo(1L);
		assertThat(sellable(productId)).isEqualTo("10");
	}

	@Test
	void ofTwoLoadsOfOneLossTheFirstInstallWinsAndAResentInstallSetsNothing() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Two loads", 1_000, 10);
		this.redis.delete(ProductKeys.stock(productId)).block();
		String read = generation(productId);

		assertThat(install(productId, "a", 10, read)).isEqualTo(1L);
		assertThat(install(productId, "b", 10, read)).isZero();
		assertThat(install(productId, "a", 10, read)).isZero();
		assertThat(sellable(productId)).isEqualTo("10");
		assertThat(generation(productId)).isEqualTo("a");
	}

	private String generation(long productId) {
		String generation = this.redis.opsForValue().get(ProductKeys.loadGeneration(productId)).block();
		return (generation != null) ? generation : "";
	}

	private Long install(long productId, String generation, long sellable, String read) {
		return this.redis.execute(LuaScripts.STOCK_LOAD,
				List.of(ProductKeys.stock(productId), ProductKeys.loadGeneration(productId)),
				List.of(generation, Long.toString(sellable), read))
			.next()
			.block();
	}

	private String sellable(long productId) {
		return this.redis.opsForValue().get(ProductKeys.stock(productId)).block();
	}

}
