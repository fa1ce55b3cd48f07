package com.example.flashsale.support.cache;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings shared by every {@link ReadThroughCache} ({@code app.cache.*}).
 *
 * @param redisTimeout a Redis reply slower than this serves the request from the database instead
 * @param lease how long one loader may hold a key's load lease before others load too
 * @param pollInterval how often callers waiting for another loader look for its value
 * @param hold how long a {@link ReadThroughCache#hold} lasts if the eviction after the commit never comes:
 * longer than a change's transaction may take, since a read after it but before the commit could cache
 * the old value again
 */
@ConfigurationProperties("app.cache")
public record CacheProperties(@DefaultValue("300ms") Duration redisTimeout, @DefaultValue("2s") Duration lease,
		@DefaultValue("10ms") Duration pollInterval, @DefaultValue("30s") Duration hold) {
}
