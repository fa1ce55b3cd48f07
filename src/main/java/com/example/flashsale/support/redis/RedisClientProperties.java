package com.example.flashsale.support.redis;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.redis.*}: how the Redis client behaves when Redis is gone or stops answering (docs/redis.md
 * "Redis unreachable"). Spring Boot's {@code spring.data.redis.timeout} bounds the connection handshake
 * only (a loaded machine may take a second to complete it at startup).
 *
 * @param commandTimeout the longest any command waits for its reply; past it the command fails (a 503
 * for a request that needs Redis to decide), so a frozen Redis costs a request at most this
 * @param requestQueueSize most commands the connection holds sent-but-unanswered or waiting to be sent;
 * beyond it a command is refused at once (a 503), so a frozen Redis cannot pile up an unbounded queue
 * @param reconnectDelayMax the longest pause between two reconnect attempts (the delay starts at 10 ms
 * and doubles up to this)
 * @param keepAliveIdle idle time before TCP keepalive probes start on a Redis connection
 * @param keepAliveInterval time between two keepalive probes
 * @param keepAliveCount unanswered probes after which the kernel drops the connection
 * @param tcpUserTimeout how long sent data may stay unacknowledged before the kernel drops the
 * connection (TCP_USER_TIMEOUT: a Redis host that vanished without closing its connections); Lettuce
 * then reconnects, and commands are refused at once meanwhile
 * @param clusterRefreshPeriod Redis Cluster only: how often the client rereads the cluster's topology
 * (which node serves which slots) even when nothing went wrong, so a failover is seen within this of its
 * end (docs/operations.md "Redis Cluster")
 * @param clusterRefreshRateLimit Redis Cluster only: the shortest time between two topology rereads set off
 * by trouble (a MOVED or ASK redirect, repeated reconnects, an unknown node or an uncovered slot); Lettuce's
 * default, 5 s, let a failover end and the clients still use the dead master for up to 5 s more
 * @param clusterRefreshReconnectAttempts Redis Cluster only: failed reconnects to a node after which the
 * client rereads the topology (Lettuce's default 5)
 * @param clusterFailoverWait Redis Cluster only: how long a command whose connection to its slot's master
 * was lost (refused unsent, or cut off while out) is sent again before the request fails with 503, so a
 * request that arrives during a failover waits for the replica taking over instead of failing
 * ({@link RetryingRedisTemplate}); zero fails at once. Redis's own failover took 2.2-5.2 s after a kill with
 * a 2 s node timeout here, so 3 s leaves a 503 window of at most about 2 s
 * @param foreignData what the service does at startup with a Redis that caches another MySQL database
 * ({@link RedisOwnership}): refuse to start (the default) or empty it
 */
@ConfigurationProperties("app.redis")
public record RedisClientProperties(@DefaultValue("1s") Duration commandTimeout,
		@DefaultValue("10000") int requestQueueSize,
		@DefaultValue("1s") Duration reconnectDelayMax, @DefaultValue("2s") Duration keepAliveIdle,
		@DefaultValue("1s") Duration keepAliveInterval, @DefaultValue("3") int keepAliveCount,
		@DefaultValue("5s") Duration tcpUserTimeout, @DefaultValue("1s") Duration clusterRefreshPeriod,
		@DefaultValue("500ms") Duration clusterRefreshRateLimit, @DefaultValue("2") int clusterRefreshReconnectAttempts,
		@DefaultValue("3s") Duration clusterFailoverWait, @DefaultValue("refuse") RedisOwnership.ForeignData foreignData) {
}
