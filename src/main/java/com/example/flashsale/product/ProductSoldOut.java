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

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.support.redis.ChannelSubscription;

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

	private final ReactiveStringRedisTemplate redis;

	/** This instance's subscription to {@link #CHANNEL}. */
	private final ChannelSubscription subscription;

	private final boolean enabled;

	private final long ttlNanos;

	/** Product id to when the read that saw it at 0 was sent (System.nanoTime). */
	private final Map<Long, Long> known = new ConcurrentHashMap<>();

	/** Counts every forgetting on this instance: a read sent before one cannot teach "sold out". */
	private final AtomicLong generation = new AtomicLong();

	ProductSoldOut(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections,
			ProductProperties properties) {
		this.redis = redis;
		this.subscription = new ChannelSubscription(connections, CHANNEL, logger);
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
		// a gap in the subscription may have lost a message: forget everything once Redis confirmed each
		// subscription, from when on no message is missed
		this.subscription.start(this::forgetAll,
				(message) -> forget(Arrays.stream(message.split(",")).map(Long::valueOf).toList()), Duration.ZERO);
	}

	@Override
	public void stop() {
		this.subscription.stop();
	}

	@Override
	public boolean isRunning() {
		return this.subscription.isRunning();
	}

}
