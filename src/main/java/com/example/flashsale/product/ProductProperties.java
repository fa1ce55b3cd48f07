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
 */
@ConfigurationProperties("app.products")
record ProductProperties(@DefaultValue("5m") Duration cacheTtl, @DefaultValue("1m") Duration unknownIdTtl,
		@DefaultValue("60s") Duration startupLoadTimeout, @DefaultValue("5s") Duration metricsInterval,
		@DefaultValue Reconcile reconcile) {

	/**
	 * {@code app.products.reconcile.*}: the stock reconciler (docs/redis.md "Sellable stock",
	 * docs/operations.md "Reconcilers").
	 * @param interval how often it runs (on one instance at a time)
	 * @param settle the wait between a run's two observations: only a drift seen in both is repaired
	 */
	record Reconcile(@DefaultValue("30s") Duration interval, @DefaultValue("1s") Duration settle) {
	}

}
