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
 */
@ConfigurationProperties("app.redis")
public record RedisClientProperties(@DefaultValue("1s") Duration commandTimeout,
		@DefaultValue("10000") int requestQueueSize,
		@DefaultValue("1s") Duration reconnectDelayMax, @DefaultValue("2s") Duration keepAliveIdle,
		@DefaultValue("1s") Duration keepAliveInterval, @DefaultValue("3") int keepAliveCount,
		@DefaultValue("5s") Duration tcpUserTimeout) {
}
