package com.example.flashsale.support.cache;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes the service's {@link ReadThroughCache}s. Why not Spring's cache abstraction: its Redis cache
 * loads once per concurrent miss on reactive methods (no single flight), and its locking writer waits
 * by sleeping, which would block an event-loop thread.
 */
@Component
public class ReadThroughCaches {

	private final CacheProperties settings;

	private final ReactiveStringRedisTemplate redis;

	private final JsonMapper json;

	private final MeterRegistry meters;

	ReadThroughCaches(CacheProperties settings, ReactiveStringRedisTemplate redis, JsonMapper json,
			MeterRegistry meters) {
		this.settings = settings;
		this.redis = redis;
		this.json = json;
		this.meters = meters;
	}

	/**
	 * A cache of {@code type} values.
	 * @param name the cache's name in logs and meters
	 * @param ttl how long a loaded value is kept
	 * @param absentTtl how long "no such value" is kept; zero to not cache it
	 */
	public <T> ReadThroughCache<T> create(String name, Class<T> type, Duration ttl, Duration absentTtl) {
		return new ReadThroughCache<>(name, type, ttl, absentTtl, this.settings, this.redis, this.json, this.meters);
	}

}
