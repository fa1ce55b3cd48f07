package com.example.flashsale.product;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.redis.LuaScripts;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/redis.md "Sellable stock" (Twice): a resent {@code stock-adjust.lua} moves the sellable stock once. */
class StockResendTest extends IntegrationTest {

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Test
	void aResentAdjustmentAppliesTheDeltaOnce() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Resent adjustment", 1_000, 10);
		String key = ProductKeys.stock(productId);
		List<String> keys = List.of(key, ProductKeys.adjustment("resent-" + productId));
		List<String> args = List.of("5", "60000");
		assertThat(this.redis.execute(LuaScripts.STOCK_ADJUST, keys, args).next().block()).isEqualTo(1L);
		assertThat(this.redis.execute(LuaScripts.STOCK_ADJUST, keys, args).next().block()).isEqualTo(0L);
		assertThat(this.redis.opsForValue().get(key).block()).isEqualTo("15");
	}

}
