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
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveSubscription.Message;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.ScheduledLifecycle;
import com.example.flashsale.support.redis.LuaScripts;

/**
 * Order status changes through Redis (SPEC section 4 "Order status stream"; the design card), so a client
 * connected to one instance sees what another instance did.
 * <ul>
 * <li>Each change is appended to the order's status log, a Redis stream at {@code order-status:<orderId>}
 * (kept 24 h after its last change; each status at most once), whose entry ids are the SSE event ids, and is
 * published on the channel {@code order-status} in the same script ({@code redis/order-status-publish.lua}).
 * The log is what a reconnecting client's {@code Last-Event-ID} is resolved against.</li>
 * <li>Each instance holds one subscription to the channel and hands every message to the streams of this
 * instance watching that order, so an idle stream costs a map entry, not a connection or a thread.</li>
 * </ul>
 * Pub/sub delivers at most once: a stream also rereads the order's status from MySQL on every heartbeat
 * ({@link OrderStatusStream}), so a lost message delays an event but never loses it.
 */
@Component
public class OrderStatusEvents extends ScheduledLifecycle {

	private static final Log logger = LogFactory.getLog(OrderStatusEvents.class);

	/** The pub/sub channel of every order's status changes. */
	static final String CHANNEL = "order-status";

	/** The gauge of how many orders this instance's open status streams watch. */
	static final String WATCHED_ORDERS = "orders.status.watched";

	/** How long an order's status log is kept after its last change. */
	static final Duration LOG_TTL = Duration.ofHours(24);

	private static final int MAX_ENTRIES = 32;

	private static final ChannelTopic TOPIC = ChannelTopic.of(CHANNEL);

	private static final SerializationPair<String> TEXT = SerializationPair.fromSerializer(RedisSerializer.string());

	private static final RedisScript<String> PUBLISH = LuaScripts.load("order-status-publish", String.class);

	/** Informative status: the data platform received the order's outbox event (not an order status). */
	public static final String DATA_PLATFORM_SENT = "DATA_PLATFORM_SENT";

	/** Informative status: the data platform refused the event every time until it was given up on. */
	public static final String DATA_PLATFORM_FAILED = "DATA_PLATFORM_FAILED";

	/**
	 * One entry of an order's status log.
	 * @param id the log entry id ({@code <ms>-<seq>}), the SSE event id
	 * @param status an order status ({@code PENDING}, {@code PAID}, {@code FAILED}, {@code CANCELED}) or an
	 * informative one ({@link #DATA_PLATFORM_SENT}, {@link #DATA_PLATFORM_FAILED})
	 * @param at when the change happened
	 */
	public record StatusEvent(long orderId, String id, String status, Instant at) {
	}

	private final ReactiveStringRedisTemplate redis;

	private final ReactiveRedisMessageListenerContainer container;

	private final Map<Long, Set<Sinks.Many<StatusEvent>>> watchers = new ConcurrentHashMap<>();

	OrderStatusEvents(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections, MeterRegistry meters) {
		this.redis = redis;
		this.container = new ReactiveRedisMessageListenerContainer(connections);
		Gauge.builder(WATCHED_ORDERS, this.watchers, Map::size)
			.description("Orders this instance's open status streams watch")
			.register(meters);
	}

	/** The Redis key of {@code orderId}'s status log. */
	static String logKey(long orderId) {
		return "order-status:" + orderId;
	}

	/**
	 * Appends {@code status} to the order's log and publishes it. Each status is logged once: one already
	 * logged answers its entry id and publishes nothing.
	 * @return the entry id; empty when refused (an order status after the log's final one)
	 */
	public Mono<String> publish(long orderId, String status, Instant at) {
		return this.redis
			.execute(PUBLISH, List.of(logKey(orderId)), List.of(Long.toString(orderId), status,
					Long.toString(at.toEpochMilli()), CHANNEL, Long.toString(LOG_TTL.toSeconds()),
					Integer.toString(MAX_ENTRIES)))
			.next();
	}

	/**
	 * {@link #publish} without waiting for it: for callers whose own outcome must not depend on Redis (an
	 * order's answer, the relay). A failure is logged; the stream's heartbeat recheck covers it.
	 */
	public void publishDetached(long orderId, String status, Instant at) {
		publish(orderId, status, at).subscribe(null, (ex) -> logger
			.warn("Could not publish status " + status + " of order " + orderId + "; streams reread it from MySQL: " + ex));
	}

	/** The order's status log, oldest first; empty when it has none (never changed, or older than 24 h). */
	Flux<StatusEvent> history(long orderId) {
		return this.redis.opsForStream()
			.range(logKey(orderId), Range.unbounded())
			.map((entry) -> toEvent(orderId, entry));
	}

	private static StatusEvent toEvent(long orderId, MapRecord<String, Object, Object> entry) {
		Map<Object, Object> fields = entry.getValue();
		return new StatusEvent(orderId, entry.getId().getValue(), (String) fields.get("s"),
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
		// <orderId>|<entryId>|<status>|<at>
		String[] parts = message.split("\\|", 4);
		if (parts.length != 4) {
			logger.warn("Ignoring a malformed order status message: " + message);
			return;
		}
		long orderId = Long.parseLong(parts[0]);
		Set<Sinks.Many<StatusEvent>> sinks = this.watchers.get(orderId);
		if (sinks == null) {
			return;
		}
		StatusEvent event = new StatusEvent(orderId, parts[1], parts[2], Instant.ofEpochMilli(Long.parseLong(parts[3])));
		sinks.forEach((sink) -> sink.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(50))));
	}

	/**
	 * Subscribes to the channel, waiting (at startup, off the event loop) until Redis confirmed it, so no
	 * change published after startup is missed; resubscribes with backoff if the subscription ever ends
	 * or Redis was unreachable at startup.
	 */
	@Override
	protected Disposable schedule() {
		Flux<String> first;
		try {
			first = this.container.receiveLater(List.of(TOPIC), TEXT, TEXT)
				.block(Duration.ofSeconds(10))
				.map(Message::getMessage);
		}
		catch (RuntimeException ex) {
			// Redis is unreachable at startup: start anyway; the subscription follows when Redis is back
			first = Flux.error(ex);
		}
		Flux<String> again = Flux.defer(() -> this.container.receive(List.of(TOPIC), TEXT, TEXT))
			.map(Message::getMessage)
			.concatWith(Flux.error(() -> new IllegalStateException("order status subscription ended")))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)));
		return first
			.concatWith(Flux.error(() -> new IllegalStateException("order status subscription ended")))
			.onErrorResume((ex) -> {
				logger.warn("Order status subscription lost; resubscribing: " + ex);
				return again;
			})
			.subscribe(this::dispatchSafely);
	}

	private void dispatchSafely(String message) {
		try {
			dispatch(message);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not dispatch order status message " + message + ": " + ex);
		}
	}

	@Override
	public void stop() {
		super.stop();
		this.container.destroyLater().subscribe();
	}

}
