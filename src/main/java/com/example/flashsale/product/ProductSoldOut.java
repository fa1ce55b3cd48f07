package com.example.flashsale.product;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.StringRedisSerializer;
import org.springframework.stereotype.Component;

import com.example.flashsale.product.Inventory.Line;

/**
 * Products sold out from memory (docs/operations.md "Admission: rate limits, load shedding, sold out from
 * memory", ADR 0028): which products this instance saw at zero sellable stock, so the order path can refuse
 * their crowd 409 {@code INSUFFICIENT_STOCK} without its Redis calls.
 *
 * <p><b>Learning it.</b> {@link Inventory#looksAvailable} read a product's sellable stock as 0 in Redis while
 * no stock came back on this instance since the read was sent ({@link #generation}). Only a read of 0
 * counts: a product with 1 unit left refuses an order of 2 but not of 1.
 *
 * <p><b>Forgetting it.</b> Stock comes back by a released reservation (a refused payment, a recovered order),
 * a refund, an admin change, a reload of a lost key or a reconciler repair: each calls {@link #stockBack},
 * which forgets the products here and publishes their ids on the Redis channel {@code product-stock-back},
 * so every instance forgets them too. Pub/sub delivers at most once, so a product is also forgotten
 * {@code app.products.sold-out-memory-ttl} (1 s) after it was learnt: a lost message leaves an instance
 * refusing from memory for at most that long, then its next order takes the full path and looks again.
 */
@Component
public class ProductSoldOut implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ProductSoldOut.class);

	/** The channel on which stock that came back is announced; message: product ids, comma-separated. */
	static final String CHANNEL = "product-stock-back";

	private static final SerializationPair<String> TEXT = SerializationPair.fromSerializer(StringRedisSerializer.UTF_8);

	private final ReactiveStringRedisTemplate redis;

	private final ReactiveRedisConnectionFactory connections;

	/** The listener container of the current start: a stopped one cannot be used again (a restart makes a new one). */
	private volatile ReactiveRedisMessageListenerContainer container;

	private final boolean enabled;

	private final long ttlNanos;

	/** Product id to when the read that saw it at 0 was sent (System.nanoTime). */
	private final Map<Long, Long> known = new ConcurrentHashMap<>();

	/** Counts every forgetting on this instance: a read sent before one cannot teach "sold out". */
	private final AtomicLong generation = new AtomicLong();

	private volatile Disposable subscription;

	ProductSoldOut(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections,
			ProductProperties properties) {
		this.redis = redis;
		this.connections = connections;
		this.enabled = properties.soldOutFromMemory();
		this.ttlNanos = properties.soldOutMemoryTtl().toNanos();
	}

	/**
	 * Whether every line's product is known sold out now: an order of these lines is refused 409
	 * {@code INSUFFICIENT_STOCK}, whoever sends it (a line of quantity 1 or more finds no unit).
	 */
	public boolean knowsSoldOut(List<Line> lines) {
		if (this.known.isEmpty()) {
			return false;
		}
		long now = System.nanoTime();
		for (Line line : lines) {
			Long learnt = this.known.get(line.productId());
			if (learnt == null) {
				return false;
			}
			if (now - learnt >= this.ttlNanos) {
				this.known.remove(line.productId(), learnt);
				return false;
			}
		}
		return true;
	}

	/**
	 * When a read of the sellable stock is sent: the forgetting count and the time, to pass to
	 * {@link #seenAtZero} with its answer.
	 * @param generation the forgetting count when the read was sent
	 * @param sentAt when the read was sent ({@link System#nanoTime()}): what it learns expires one TTL after
	 */
	record Look(long generation, long sentAt) {
	}

	/** A {@link Look} for a read of the sellable stock about to be sent. */
	Look look() {
		return new Look(this.generation.get(), System.nanoTime());
	}

	/**
	 * A read of the sellable stock sent at {@code look} found {@code productId} at 0: it is sold out, unless
	 * stock came back on this instance since the read was sent. Its TTL counts from the send, so a slow
	 * reply does not make it last longer.
	 */
	void seenAtZero(long productId, Look look) {
		if (!this.enabled) {
			return;
		}
		if (this.known.putIfAbsent(productId, look.sentAt()) == null && this.generation.get() != look.generation()) {
			// stock came back while the read was on its way: what it saw may be gone already
			this.known.remove(productId);
		}
	}

	/**
	 * Stock of {@code productIds} came back (or may have): forget them here and tell every instance. The
	 * message is sent without waiting for it; a lost one is covered by the TTL.
	 */
	void stockBack(Collection<Long> productIds) {
		if (!this.enabled || productIds.isEmpty()) {
			return;
		}
		forget(productIds);
		this.redis.convertAndSend(CHANNEL, String.join(",", productIds.stream().map(String::valueOf).toList()))
			.subscribe(null, (ex) -> logger.warn("Could not announce the stock back of products " + productIds
					+ "; other instances forget them within " + Duration.ofNanos(this.ttlNanos) + ": " + ex));
	}

	private void forget(Collection<Long> productIds) {
		this.generation.incrementAndGet();
		productIds.forEach(this.known::remove);
	}

	/** Forgets every product: a (re)subscription's gap may have lost a message. */
	void forgetAll() {
		this.generation.incrementAndGet();
		this.known.clear();
	}

	@Override
	public void start() {
		if (!this.enabled) {
			return;
		}
		ReactiveRedisMessageListenerContainer started = new ReactiveRedisMessageListenerContainer(this.connections);
		this.container = started;
		this.subscription = Mono.defer(() -> started.receiveLater(List.of(ChannelTopic.of(CHANNEL)), TEXT, TEXT))
			// a gap in the subscription may have lost a message: forget everything once Redis confirmed each
			// (re)subscription, from when on no message is missed
			.flatMapMany((messages) -> {
				forgetAll();
				return messages;
			})
			.concatWith(Flux.error(() -> new IllegalStateException("product stock-back subscription ended")))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
			.subscribe((message) -> {
				try {
					forget(Arrays.stream(message.getMessage().split(",")).map(Long::valueOf).toList());
				}
				catch (NumberFormatException ex) {
					logger.warn("Ignoring a malformed product stock-back message: " + message.getMessage());
				}
			});
	}

	@Override
	public void stop() {
		Disposable current = this.subscription;
		if (current != null) {
			current.dispose();
		}
		ReactiveRedisMessageListenerContainer stopped = this.container;
		if (stopped != null) {
			stopped.destroyLater().subscribe(null, (ex) -> { });
		}
	}

	@Override
	public boolean isRunning() {
		return this.subscription != null && !this.subscription.isDisposed();
	}

}
