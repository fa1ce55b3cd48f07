package com.example.flashsale.product;

import java.time.Duration;
import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.redis.LuaScripts;
import com.example.flashsale.support.startup.StartupTask;

/**
 * A product's sellable stock in Redis, what the order path reserves from (docs/flows.md "Order and payment", docs/redis.md):
 * the integer at {@link ProductKeys#stock} = durable stock in MySQL minus what orders in flight
 * have reserved. All stock keys share the hash tag {@code {catalog}}, so one Lua script may reserve every
 * line of an order atomically even on Redis Cluster (the price: all stock lives on one shard).
 *
 * <p>Set when a product is created; loaded where missing at startup and on demand ({@link #loadMissing})
 * when a script finds a key missing because Redis lost it, as durable stock minus the units of orders in
 * flight ({@link UnitsInFlight}), so a loss never overstates it. Admin stock changes move it by the same
 * delta ({@link #adjust}). The {@link StockReconciler} repairs what a loss understated. MySQL stays the
 * source of truth: its conditional decrement refuses any sale the Redis count let through by mistake.
 */
@Component
public class ProductStock {

	private static final Log logger = LogFactory.getLog(ProductStock.class);

	private static final RedisScript<Long> ADJUST = LuaScripts.STOCK_ADJUST;

	private static final RedisScript<Long> LOAD = LuaScripts.STOCK_LOAD;

	private static final int KEYS_PER_LOAD = 500;

	/** How long an applied adjustment is remembered: far longer than any re-send of its script. */
	static final Duration ADJUSTMENT_MEMORY = Duration.ofHours(1);

	private final ReactiveStringRedisTemplate redis;

	private final ProductRepository repository;

	private final UnitsInFlight inFlight;

	private final TransactionalOperator transactional;

	private final ProductSoldOut soldOut;

	ProductStock(ReactiveStringRedisTemplate redis, ProductRepository repository, UnitsInFlight inFlight,
			TransactionalOperator transactional, ProductSoldOut soldOut) {
		this.redis = redis;
		this.repository = repository;
		this.inFlight = inFlight;
		this.transactional = transactional;
		this.soldOut = soldOut;
	}

	/**
	 * A product's stock as MySQL and Redis have it.
	 * @param durable the durable stock in MySQL
	 * @param sellable the stock in Redis orders reserve from (durable minus reservations in flight); null
	 * when Redis has none loaded
	 */
	public record StockLevels(int durable, Long sellable) {
	}

	/** The durable and sellable stock of {@code productId}; empty when the product does not exist. */
	public Mono<StockLevels> levels(long productId) {
		return this.repository.findById(productId)
			.flatMap((product) -> available(productId).map(Optional::of)
				.defaultIfEmpty(Optional.empty())
				.map((sellable) -> new StockLevels(product.stock(), sellable.orElse(null))));
	}

	/** The sellable stock, loading it from MySQL if missing; empty when the product does not exist. */
	public Mono<Long> available(long productId) {
		return this.redis.opsForValue()
			.get(ProductKeys.stock(productId))
			.switchIfEmpty(Mono.defer(() -> loadMissing(List.of(productId)).then(this.redis.opsForValue().get(ProductKeys.stock(productId)))))
			.map(Long::valueOf);
	}

	/**
	 * The first {@code limit} active products (by id) with their durable and sellable stock, read in one
	 * query and one {@code MGET}; for the operator console and the {@code stock.reserved} gauge.
	 */
	public Flux<ProductLive> live(int limit) {
		return this.repository.findActive(limit)
			.collectList()
			.filter((products) -> !products.isEmpty())
			.flatMapMany((products) -> this.redis.opsForValue()
				.multiGet(products.stream().map((product) -> ProductKeys.stock(product.id())).toList())
				.flatMapMany((values) -> {
					List<ProductLive> live = new ArrayList<>(products.size());
					for (int i = 0; i < products.size(); i++) {
						Product product = products.get(i);
						Long sellable = (values.get(i) != null) ? Long.valueOf(values.get(i)) : null;
						live.add(new ProductLive(product.id(), product.name(), product.stock(), sellable,
								(sellable != null) ? Math.max(0, product.stock() - sellable) : 0));
					}
					return Flux.fromIterable(live);
				}));
	}

	/**
	 * Loads the sellable stock of {@code productIds} into Redis where the key is missing: durable stock minus
	 * the units of orders in flight ({@link #expected}), installed with {@code SET NX} only if no other load
	 * installed the key since this one read its generation: a value read from MySQL before another load's
	 * sales would overstate after a second loss.
	 * @return how many keys were set (unknown products, and keys another load installed first, are skipped)
	 */
	public Mono<Long> loadMissing(Collection<Long> productIds) {
		return load(Flux.fromIterable(productIds), 0);
	}

	/**
	 * {@link #loadMissing} for the reservation of {@code reservingOrderId}, which found a key missing: that
	 * order's own units are not counted as held (it holds nothing yet and reserves on the loaded value).
	 */
	Mono<Long> loadMissing(Collection<Long> productIds, long reservingOrderId) {
		return load(Flux.fromIterable(productIds), reservingOrderId);
	}

	/**
	 * What a product's sellable stock should be, as MySQL has it.
	 * @param durable the durable stock
	 * @param held the units PENDING orders hold (reserved, or about to be)
	 */
	record Expected(long productId, int durable, long held) {

		/**
		 * Durable minus held, never below zero: more units held than in stock means orders whose reservations
		 * cannot all succeed; the ones that hold a reservation pay or give it back.
		 */
		long sellable() {
			return Math.max(0, this.durable - this.held);
		}

	}

	/**
	 * The expected sellable stock of {@code productIds} (unknown ones are skipped), from one snapshot of
	 * MySQL (one REPEATABLE READ transaction): an order paid in between is either still PENDING with its
	 * units in the durable stock, or PAID with them gone, never counted once in each or in neither.
	 */
	Flux<Expected> expected(Collection<Long> productIds) {
		return expected(productIds, 0);
	}

	private Flux<Expected> expected(Collection<Long> productIds, long exceptOrderId) {
		return this.inFlight.heldBy(productIds, exceptOrderId)
			.flatMapMany((held) -> this.repository.findByIds(productIds)
				.map((product) -> new Expected(product.id(), product.stock(), held.getOrDefault(product.id(), 0L))))
			.as(this.transactional::transactional);
	}

	/** Sets a new product's sellable stock: nothing can be reserved yet, so it is the durable stock. */
	Mono<Void> put(long productId, int stock) {
		return this.redis.opsForValue().set(ProductKeys.stock(productId), Integer.toString(stock)).then();
	}

	/** Drops the sellable stock of {@code productId}; it is reloaded from MySQL where next needed. */
	Mono<Void> forget(long productId) {
		return this.redis.delete(ProductKeys.stock(productId))
			.then()
			.doFinally((signal) -> this.soldOut.stockBack(List.of(productId)));
	}

	/**
	 * Applies a change of the durable stock by {@code delta} to the sellable stock, once per
	 * {@code adjustmentId} (a resent script finds its record and changes nothing; the record is kept
	 * {@link #ADJUSTMENT_MEMORY}). A missing key stays missing: it loads from MySQL, change included.
	 * @param adjustmentId unique per change (an admin's change: random; a refund: derived from the order)
	 */
	Mono<Void> adjust(long productId, String adjustmentId, int delta) {
		return this.redis
			.execute(ADJUST, List.of(ProductKeys.stock(productId), ProductKeys.adjustment(adjustmentId)),
					List.of(Integer.toString(delta), Long.toString(ADJUSTMENT_MEMORY.toMillis())))
			.then()
			// applied or maybe applied (a lost reply): units may be back
			.doFinally((signal) -> {
				if (delta > 0) {
					this.soldOut.stockBack(List.of(productId));
				}
			});
	}

	/**
	 * Loads every product's durable stock into Redis where the key is missing; runs at startup.
	 * @return how many keys were set
	 */
	public Mono<Long> loadAll() {
		return load(this.repository.findAll().map(Product::id), 0);
	}

	private Mono<Long> load(Flux<Long> productIds, long exceptOrderId) {
		String generation = Long.toHexString(ThreadLocalRandom.current().nextLong());
		return productIds.buffer(KEYS_PER_LOAD)
			.concatMap((batch) -> generations(batch)
				.flatMap((before) -> expected(batch, exceptOrderId).collectList()
					.filter((expected) -> !expected.isEmpty())
					.flatMap((expected) -> install(expected, before, generation))))
			.reduce(0L, Long::sum);
	}

	/** The generation of each product's stock key ({@link ProductKeys#loadGeneration}), read before MySQL. */
	private Mono<Map<Long, String>> generations(List<Long> productIds) {
		return this.redis.opsForValue()
			.multiGet(productIds.stream().map(ProductKeys::loadGeneration).toList())
			.map((values) -> {
				Map<Long, String> generations = new HashMap<>();
				for (int i = 0; i < productIds.size(); i++) {
					generations.put(productIds.get(i), (values.get(i) != null) ? values.get(i) : "");
				}
				return generations;
			});
	}

	/**
	 * Installs {@code batch} where the key is missing and its generation is still the one read in
	 * {@code before}, and gives each installed key the new {@code generation}.
	 * @return how many keys were set
	 */
	private Mono<Long> install(List<Expected> batch, Map<Long, String> before, String generation) {
		List<String> keys = new ArrayList<>(batch.size() * 2);
		List<String> args = new ArrayList<>(batch.size() * 2 + 1);
		args.add(generation);
		batch.forEach((e) -> keys.add(ProductKeys.stock(e.productId())));
		batch.forEach((e) -> keys.add(ProductKeys.loadGeneration(e.productId())));
		batch.forEach((e) -> args.add(Long.toString(e.sellable())));
		batch.forEach((e) -> args.add(before.getOrDefault(e.productId(), "")));
		return this.redis.execute(LOAD, keys, args).next().doOnEach((signal) -> {
			// installed, or maybe (a lost reply): units may be back
			if ((signal.hasValue() && signal.get() > 0) || signal.isOnError()) {
				this.soldOut.stockBack(batch.stream().map(Expected::productId).toList());
			}
		});
	}

	/**
	 * Loads missing stock keys before the service takes requests (a {@link StartupTask}: on the main thread,
	 * where waiting is allowed). A failure is logged, not fatal: missing keys are also loaded on demand.
	 */
	@Component
	static class StartupLoad implements StartupTask {

		private final ProductStock stock;

		private final Duration timeout;

		StartupLoad(ProductStock stock, ProductProperties properties) {
			this.stock = stock;
			this.timeout = properties.startupLoadTimeout();
		}

		@Override
		public void run() {
			try {
				Long loaded = this.stock.loadAll().block(this.timeout);
				logger.info("Loaded the sellable stock of " + loaded + " products into Redis");
			}
			catch (RuntimeException ex) {
				logger.warn("Could not load product stock into Redis at startup; keys load on demand: " + ex);
			}
		}

	}

}
