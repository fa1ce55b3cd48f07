package com.example.flashsale.popular;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.popular.*}: every setting of the popular-products feature (docs/flows.md "Popular products").
 *
 * @param interval how often the statistics are recomputed
 * @param maxDays the longest window a query may ask for, and what a stale startup recomputes
 * @param maxLimit the most products a query may ask for
 * @param defaultDays the window of a query without {@code days}
 * @param defaultLimit the products of a query without {@code limit}
 * @param cacheTtl how long a ranking is cached
 * @param emptyCacheTtl how long an empty ranking is cached
 * @param lockAtMostFor the longest one aggregation holds its cross-instance lock
 */
@ConfigurationProperties("app.popular")
record PopularProperties(@DefaultValue("1h") Duration interval, @DefaultValue("30") int maxDays,
		@DefaultValue("50") int maxLimit, @DefaultValue("3") int defaultDays, @DefaultValue("5") int defaultLimit,
		@DefaultValue("1h") Duration cacheTtl, @DefaultValue("10m") Duration emptyCacheTtl,
		@DefaultValue("10m") Duration lockAtMostFor) {
}
