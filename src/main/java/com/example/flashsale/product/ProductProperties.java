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
 */
@ConfigurationProperties("app.products")
record ProductProperties(@DefaultValue("5m") Duration cacheTtl, @DefaultValue("1m") Duration unknownIdTtl,
		@DefaultValue("60s") Duration startupLoadTimeout, @DefaultValue("5s") Duration metricsInterval) {
}
