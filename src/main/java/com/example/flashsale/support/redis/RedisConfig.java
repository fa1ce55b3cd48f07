package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SocketOptions.KeepAliveOptions;
import io.lettuce.core.SocketOptions.TcpUserTimeoutOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.Delay;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Redis wiring that keeps the event loop free of blocking calls and answers fast when Redis is gone
 * (docs/redis.md "Redis unreachable").
 *
 * <p>Lettuce connects lazily by default, and that first connect blocks whichever thread uses Redis first
 * (an event-loop thread under load). Connecting eagerly at startup moves it to the main thread.
 *
 * <p>Lettuce's {@code publishOnScheduler} is deliberately left off: with it, a command timeout racing
 * a reply can terminate one of Lettuce's executors and leave every later command on it hanging
 * (lettuce issue 1576; seen here as a 30 s hang after the 2,000-user race). The application's template
 * ({@link RetryingRedisTemplate}) hands every reply to Reactor's parallel scheduler instead.
 *
 * <p>Failing fast ({@link RedisClientProperties}):
 * <ul>
 * <li>While disconnected, commands are refused at once ({@link DisconnectedBehavior#REJECT_COMMANDS})
 * instead of being buffered until the command timeout (Lettuce's default), so a stopped Redis costs a
 * request microseconds, not {@code spring.data.redis.timeout}.</li>
 * <li>A Redis that holds its connections open but does not answer (frozen, overloaded) is bounded by the
 * command timeout ({@code app.redis.command-timeout}, 1 s, checked by a timer ticking every 10 ms;
 * {@code spring.data.redis.timeout} bounds only the connection's handshake), and the connection holds at most
 * {@code app.redis.request-queue-size} commands: beyond, commands are refused at once.</li>
 * <li>TCP keepalive and TCP_USER_TIMEOUT drop a connection whose peer vanished, so Lettuce reconnects
 * instead of waiting for the kernel's retransmissions (about 15 minutes).</li>
 * <li>After a lost connection Lettuce reconnects with an exponential backoff that grows to 30 s by
 * default; capped at {@code app.redis.reconnect-delay-max} (1 s), so the service is back within about a
 * second of Redis.</li>
 * <li>On a Redis Cluster ({@code spring.data.redis.cluster.nodes}), the same options plus a topology refresh
 * that sees a failover within about a second ({@link #clusterTopologyRefresh}), and commands that lost their
 * connection in a failover sent again for up to {@code app.redis.cluster-failover-wait} ({@link RetryingRedisTemplate}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class RedisConfig {

	/** The first reconnect attempt waits this long; each next one twice as long, up to the cap. */
	private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(10);

	@Bean
	static BeanPostProcessor eagerLettuceConnection() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof LettuceConnectionFactory factory) {
					factory.setEagerInitialization(true);
				}
				return bean;
			}
		};
	}

	/**
	 * The template every feature uses: on a Redis Cluster it waits out a failover for up to
	 * {@code app.redis.cluster-failover-wait} ({@link RetryingRedisTemplate}); on a single node it fails at once.
	 */
	@Bean
	ReactiveStringRedisTemplate reactiveStringRedisTemplate(ReactiveRedisConnectionFactory connectionFactory,
			RedisClientProperties client) {
		boolean cluster = connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
		return new RetryingRedisTemplate(connectionFactory, cluster ? client.clusterFailoverWait() : Duration.ZERO);
	}

	/**
	 * The tick of the timer that expires commands: Lettuce's default timer ticks every 100 ms, so a 200 ms
	 * command timeout fired after up to 300 ms (measured: p50 298 ms while Redis was frozen).
	 */
	private static final long TIMER_TICK_MS = 10;

	/** The command-expiry timer; Lettuce does not stop a timer it was given, so the context does. */
	@Bean(destroyMethod = "stop")
	HashedWheelTimer lettuceTimer() {
		return new HashedWheelTimer(new DefaultThreadFactory("lettuce-timer", true), TIMER_TICK_MS, TimeUnit.MILLISECONDS);
	}

	@Bean
	ClientResourcesBuilderCustomizer fastRedisReconnect(RedisClientProperties client, HashedWheelTimer lettuceTimer) {
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(FIRST_RECONNECT_DELAY, client.reconnectDelayMax(), 2, TimeUnit.MILLISECONDS))
			.timer(lettuceTimer);
	}

	@Bean
	LettuceClientOptionsBuilderCustomizer failFastRedis(RedisClientProperties client, DataRedisProperties redis) {
		SocketOptions.Builder socket = SocketOptions.builder()
			.keepAlive(KeepAliveOptions.builder()
				.enable()
				.idle(client.keepAliveIdle())
				.interval(client.keepAliveInterval())
				.count(client.keepAliveCount())
				.build())
			.tcpUserTimeout(TcpUserTimeoutOptions.builder().enable().tcpUserTimeout(client.tcpUserTimeout()).build());
		if (redis.getConnectTimeout() != null) {
			// these socket options replace Spring Boot's, which carry only the connect timeout
			socket.connectTimeout(redis.getConnectTimeout());
		}
		return (builder) -> {
			builder.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
				.timeoutOptions(TimeoutOptions.builder().fixedTimeout(client.commandTimeout()).build())
				.requestQueueSize(client.requestQueueSize())
				.socketOptions(socket.build());
			if (builder instanceof ClusterClientOptions.Builder cluster) {
				// spring.data.redis.cluster.nodes is set: Spring Boot built cluster options; these replace its
				// topology refresh (docs/operations.md "Redis Cluster")
				cluster.topologyRefreshOptions(clusterTopologyRefresh(client));
			}
		};
	}

	/**
	 * How a Redis Cluster client learns that a replica took over a failed master: every adaptive trigger
	 * (MOVED/ASK redirects, persistent reconnects, unknown node, uncovered slot) rereads the topology at once,
	 * at most once per {@code app.redis.cluster-refresh-rate-limit}, and a periodic reread every
	 * {@code app.redis.cluster-refresh-period} catches the failover that no command ran into. With Lettuce's
	 * defaults (a 5 s rate limit, no periodic reread) the first reread came during the election, saw the old
	 * master, and the next one was allowed only 5 s later.
	 */
	static ClusterTopologyRefreshOptions clusterTopologyRefresh(RedisClientProperties client) {
		return ClusterTopologyRefreshOptions.builder()
			.enableAllAdaptiveRefreshTriggers()
			.adaptiveRefreshTriggersTimeout(client.clusterRefreshRateLimit())
			.refreshTriggersReconnectAttempts(client.clusterRefreshReconnectAttempts())
			.enablePeriodicRefresh(client.clusterRefreshPeriod())
			.dynamicRefreshSources(true)
			.closeStaleConnections(true)
			.build();
	}

}
