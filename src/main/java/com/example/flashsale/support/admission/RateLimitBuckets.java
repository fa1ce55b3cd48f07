package com.example.flashsale.support.admission;

import java.time.Duration;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The Redis side of the rate limits: Bucket4j's Lettuce proxy manager (compare-and-swap, asynchronous API)
 * over a connection of its own with a byte-array codec, opened eagerly at startup on the main thread from
 * the application's Lettuce client (so its fail-fast options apply: refused at once while Redis is down).
 * A bucket's key expires once it would be full again. When Redis is unreachable at startup there is no
 * manager and every decision is local ({@link RateLimits}) until the instance restarts.
 */
@Component
@ConditionalOnBooleanProperty(name = "app.rate-limit.enabled", matchIfMissing = true)
class RateLimitBuckets implements DisposableBean {

	private static final Log logger = LogFactory.getLog(RateLimitBuckets.class);

	private final StatefulConnection<byte[], byte[]> connection;

	private final AsyncProxyManager<byte[]> manager;

	RateLimitBuckets(LettuceConnectionFactory connections) {
		StatefulConnection<byte[], byte[]> opened = null;
		AsyncProxyManager<byte[]> built = null;
		ExpirationAfterWriteStrategy expiry = ExpirationAfterWriteStrategy
			.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10));
		try {
			if (connections.getNativeClient() instanceof RedisClusterClient cluster) {
				// a Redis Cluster (docs/operations.md "Redis Cluster"): a bucket is one key, on its own slot
				StatefulRedisClusterConnection<byte[], byte[]> clustered = cluster.connect(ByteArrayCodec.INSTANCE);
				opened = clustered;
				built = Bucket4jLettuce.casBasedBuilder(clustered).expirationAfterWrite(expiry).build().asAsync();
			}
			else {
				RedisClient client = (RedisClient) connections.getNativeClient();
				StatefulRedisConnection<byte[], byte[]> single = client.connect(ByteArrayCodec.INSTANCE);
				opened = single;
				single.sync().select(connections.getDatabase());
				built = Bucket4jLettuce.casBasedBuilder(single).expirationAfterWrite(expiry).build().asAsync();
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Rate limits are decided per instance: Redis could not be reached at startup (" + ex + ")");
		}
		this.connection = opened;
		this.manager = built;
	}

	/** The shared buckets; null when Redis could not be reached at startup. */
	AsyncProxyManager<byte[]> manager() {
		return this.manager;
	}

	@Override
	public void destroy() {
		if (this.connection != null) {
			this.connection.closeAsync();
		}
	}

}
