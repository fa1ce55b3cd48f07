package com.example.flashsale.product;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.LuaScripts;

/**
 * A product's sellable stock in Redis, what the order path reserves from (SPEC section 4, seed 000):
 * the integer at {@code stock:{catalog}:<productId>} = durable stock in MySQL minus what orders in flight
 * have reserved. All stock keys share the hash tag {@code {catalog}}, so one Lua script may reserve every
 * line of an order atomically even on Redis Cluster (the price: all stock lives on one shard).
 *
 * <p>Loaded from MySQL when a product is created (set), at startup (keys that are missing), and on
 * demand ({@link #loadMissing}) when a script finds a key missing because Redis lost its data. Admin
 * stock changes move it by the same delta ({@link #adjust}). MySQL stays the source of truth: its
 * conditional decrement refuses any sale the Redis count let through by mistake.
 */
@Component
public class ProductStock implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ProductStock.class);

	private static final RedisScript<Long> ADJUST = LuaScripts.load("stock-adjust", Long.class);

	private static final RedisScript<Long> LOAD = LuaScripts.load("stock-load", Long.class);

	private static final int KEYS_PER_LOAD = 500;

	private static final Duration STARTUP_LOAD_TIMEOUT = Duration.ofSeconds(60);

	private final ReactiveStringRedisTemplate redis;

	private final ProductRepository repository;

	private volatile boolean running;

	ProductStock(ReactiveStringRedisTemplate redis, ProductRepository repository) {
		this.redis = redis;
		this.repository = repository;
	}

	/** The Redis key of {@code productId}'s sellable stock. */
	public static String key(long productId) {
		return "stock:{catalog}:" + productId;
	}

	/** The sellable stock, loading it from MySQL if missing; empty when the product does not exist. */
	public Mono<Long> available(long productId) {
		return this.redis.opsForValue()
			.get(key(productId))
			.switchIfEmpty(Mono.defer(() -> loadMissing(List.of(productId)).then(this.redis.opsForValue().get(key(productId)))))
			.map(Long::valueOf);
	}

	/**
	 * Loads the durable stock of {@code productIds} into Redis where the key is missing.
	 * @return how many keys were set (unknown products are skipped)
	 */
	public Mono<Long> loadMissing(Collection<Long> productIds) {
		return load(this.repository.findByIds(productIds));
	}

	/** Sets a new product's sellable stock: nothing can be reserved yet, so it is the durable stock. */
	Mono<Void> put(long productId, int stock) {
		return this.redis.opsForValue().set(key(productId), Integer.toString(stock)).then();
	}

	/** Drops the sellable stock of {@code productId}; it is reloaded from MySQL where next needed. */
	Mono<Void> forget(long productId) {
		return this.redis.delete(key(productId)).then();
	}

	/**
	 * Applies a change of the durable stock by {@code delta} (to {@code newStock}) to the sellable stock.
	 * @return the sellable stock afterwards
	 */
	Mono<Long> adjust(long productId, int delta, int newStock) {
		return this.redis.execute(ADJUST, List.of(key(productId)), List.of(Integer.toString(delta), Integer.toString(newStock)))
			.next();
	}

	/**
	 * Loads every product's durable stock into Redis where the key is missing; runs at startup.
	 * @return how many keys were set
	 */
	public Mono<Long> loadAll() {
		return load(this.repository.findAll());
	}

	private Mono<Long> load(Flux<Product> products) {
		return products.buffer(KEYS_PER_LOAD)
			.concatMap((batch) -> this.redis.execute(LOAD, batch.stream().map((p) -> key(p.id())).toList(),
					batch.stream().map((p) -> Integer.toString(p.stock())).toList()))
			.reduce(0L, Long::sum);
	}

	/**
	 * Loads missing stock keys before the web server takes requests (this runs on the main thread, where
	 * waiting is allowed). A failure is logged, not fatal: missing keys are also loaded on demand.
	 */
	@Override
	public void start() {
		try {
			Long loaded = loadAll().block(STARTUP_LOAD_TIMEOUT);
			logger.info("Loaded the sellable stock of " + loaded + " products into Redis");
		}
		catch (RuntimeException ex) {
			logger.warn("Could not load product stock into Redis at startup; keys load on demand: " + ex);
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// before the web server starts accepting requests (its phase is just below Integer.MAX_VALUE)
		return 0;
	}

}
