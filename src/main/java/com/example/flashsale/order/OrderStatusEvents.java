package com.example.flashsale.order;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.ChannelSubscription;
import com.example.flashsale.support.redis.LuaScripts;

/**
 * Order status changes through Redis (docs/flows.md "Order status stream"), so a client
 * connected to one instance sees what another instance did.
 * <ul>
 * <li>Each change is appended to the order's status log, a Redis stream at {@code order-status:<orderId>}
 * (kept {@code app.orders.stream.log-ttl}, 24 h, after its last change; each status at most once), whose entry ids are the SSE event ids, and is
 * published on the channel {@code order-status} in the same script ({@code redis/order-status-publish.lua}).
 * The log is what a reconnecting client's {@code Last-Event-ID} is resolved against.</li>
 * <li>Each instance holds one subscription to the channel and hands every message to the streams of this
 * instance watching that order, so an idle stream costs a map entry, not a connection or a thread.</li>
 * </ul>
 * Pub/sub delivers at most once: a stream also rereads the order's status from MySQL on every heartbeat
 * ({@link OrderStatusStream}), so a lost message delays an event but never loses it.
 */
@Component
public class OrderStatusEvents implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(OrderStatusEvents.class);

	/** The gauge of how many orders this instance's open status streams watch. */
	static final String WATCHED_ORDERS = "orders.status.watched";

	private static final RedisScript<String> PUBLISH = LuaScripts.ORDER_STATUS_PUBLISH;

	/**
	 * One entry of an order's status log.
	 * @param id the log entry id ({@code <ms>-<seq>}), the SSE event id
	 * @param status an order status or a delivery outcome
	 * @param at when the change happened
	 */
	public record StatusEvent(long orderId, String id, OrderProgress status, Instant at) {
	}

	private final ReactiveStringRedisTemplate redis;

	/** This instance's subscription to {@link OrderKeys#STATUS_CHANNEL}. */
	private final ChannelSubscription subscription;

	private final Map<Long, Set<Sinks.Many<StatusEvent>>> watchers = new ConcurrentHashMap<>();

	private final OrderProperties.Stream properties;

	OrderStatusEvents(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections,
			OrderProperties properties, MeterRegistry meters) {
		this.redis = redis;
		this.properties = properties.stream();
		this.subscription = new ChannelSubscription(connections, OrderKeys.STATUS_CHANNEL, logger);
		Gauge.builder(WATCHED_ORDERS, this.watchers, Map::size)
			.description("Orders this instance's open status streams watch")
			.register(meters);
	}

	/**
	 * Appends {@code status} to the order's log and publishes it. Each status is logged once: one already
	 * logged answers its entry id and publishes nothing.
	 * @return the entry id; empty when refused (an order status after the log's final one)
	 */
	public Mono<String> publish(long orderId, OrderProgress status, Instant at) {
		return this.redis
			.execute(PUBLISH, List.of(OrderKeys.statusLog(orderId)), List.of(Long.toString(orderId), status.name(),
					Long.toString(at.toEpochMilli()), OrderKeys.STATUS_CHANNEL,
					Long.toString(this.properties.logTtl().toSeconds()), Integer.toString(this.properties.logMaxEntries())))
			.next();
	}

	/**
	 * {@link #publish} without waiting for it: for callers whose own outcome must not depend on Redis (an
	 * order's answer, the relay). A failure is logged; the stream's heartbeat recheck covers it.
	 */
	public void publishDetached(long orderId, OrderProgress status, Instant at) {
		publish(orderId, status, at).subscribe(null, (ex) -> logger
			.warn("Could not publish status " + status + " of order " + orderId + "; streams reread it from MySQL: " + ex));
	}

	/** The order's status log, oldest first; empty when it has none (never changed, or older than 24 h). */
	Flux<StatusEvent> history(long orderId) {
		return this.redis.opsForStream()
			.range(OrderKeys.statusLog(orderId), Range.unbounded())
			.map((entry) -> toEvent(orderId, entry));
	}

	private static StatusEvent toEvent(long orderId, MapRecord<String, Object, Object> entry) {
		Map<Object, Object> fields = entry.getValue();
		return new StatusEvent(orderId, entry.getId().getValue(), OrderProgress.valueOf((String) fields.get("s")),
				Instant.ofEpochMilli(Long.parseLong((String) fields.get("at"))));
	}

	/**
	 * Hands every change of {@code orderId} published from now on, by any instance, to {@code sink}, until
	 * the returned handle runs. The sink must accept events from the subscription's thread.
	 */
	Runnable watch(long orderId, Sinks.Many<StatusEvent> sink) {
		this.watchers.compute(orderId, (id, sinks) -> {
			Set<Sinks.Many<StatusEvent>> set = (sinks != null) ? sinks : ConcurrentHashMap.newKeySet();
			set.add(sink);
			return set;
		});
		return () -> this.watchers.computeIfPresent(orderId, (id, sinks) -> {
			sinks.remove(sink);
			return sinks.isEmpty() ? null : sinks;
		});
	}

	private void dispatch(String message) {
		StatusEvent event = parseMessage(message);
		if (event == null) {
			logger.warn("Ignoring a malformed order status message: " + message);
			return;
		}
		Set<Sinks.Many<StatusEvent>> sinks = this.watchers.get(event.orderId());
		if (sinks == null) {
			return;
		}
		sinks.forEach((sink) -> sink.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50))));
	}

	/**
	 * The event a channel message carries, {@code <orderId>|<entryId>|<status>|<at ms>} as
	 * {@code order-status-publish.lua} writes it; null when malformed.
	 */
	static StatusEvent parseMessage(String message) {
		String[] parts = message.split("\\|", 4);
		if (parts.length != 4) {
			return null;
		}
		try {
			return new StatusEvent(Long.parseLong(parts[0]), parts[1], OrderProgress.valueOf(parts[2]),
					Instant.ofEpochMilli(Long.parseLong(parts[3])));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Subscribes to the channel, waiting (at startup, off the event loop) until Redis confirmed it, so no
	 * change published after startup is missed; resubscribes with backoff if the subscription ever ends
	 * or Redis was unreachable at startup.
	 */
	@Override
	public void start() {
		this.subscription.start(() -> { }, this::dispatch, Duration.ofSeconds(10));
	}

	@Override
	public void stop() {
		this.subscription.stop();
	}

	@Override
	public boolean isRunning() {
		return this.subscription.isRunning();
	}

	/**
	 * Just below the latest phase: the subscription stops after the shutdown drain (which ends this
	 * instance's streams, docs/adr/0027), never while streams still listen.
	 */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

}
