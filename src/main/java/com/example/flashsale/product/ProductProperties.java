package com.example.flashsale.product;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.products.*}: every setting of the product feature (docs/api.md "Products").
 *
 * @param cacheTtl how long the cached product list and product views are kept
 * @param unknownIdTtl how long "no such product" is remembered
 * @param startupLoadTimeout the longest the startup load of sellable stock into Redis may take
 * @param metricsInterval how often the {@code stock.reserved} gauge is recomputed
 * @param reconcile the stock reconciler
 * @param soldOutFromMemory whether an order for products this instance saw at zero stock is refused from memory
 * ({@link ProductSoldOut}; docs/operations.md "Admission: rate limits, load shedding, sold out from memory")
 * @param soldOutMemoryTtl how long a product seen at zero stock is refused from memory at most, when no
 * stock-back message reaches the instance
 */
@ConfigurationProperties("app.products")
record ProductProperties(@DefaultValue("5m") Duration cacheTtl, @DefaultValue("1m") Duration unknownIdTtl,
		@DefaultValue("60s") Duration startupLoadTimeout, @DefaultValue("5s") Duration metricsInterval,
		@DefaultValue Reconcile reconcile, @DefaultValue("true") boolean soldOutFromMemory,
		@DefaultValue("1s") Duration soldOutMemoryTtl) {

	/**
	 * {@code app.products.reconcile.*}: the stock reconciler (docs/redis.md "Sellable stock",
	 * docs/operations.md "Reconcilers").
	 * @param interval how often it runs (on one instance at a time)
	 * @param settle the wait between a run's two observations: only a drift seen in both is repaired
	 */
	record Reconcile(@DefaultValue("30s") Duration interval, @DefaultValue("1s") Duration settle) {
	}

}
