package com.example.flashsale.product;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.media.Schema;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.product.ProductStock.Expected;
import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;
import com.example.flashsale.support.redis.LuaScripts;

/**
 * Compares every product's sellable stock in Redis with what MySQL says it should be (durable stock minus
 * the units of PENDING orders, {@link ProductStock#expected}) and repairs a stable drift (docs/redis.md
 * "Sellable stock", docs/operations.md "Reconcilers"). Every {@code app.products.reconcile.interval} (30 s)
 * on one instance at a time, and on demand ({@code POST /api/admin/products/reconcile}).
 *
 * <p>A run observes twice, {@code settle} (1 s) apart, and repairs only a product whose Redis value and
 * expected value were the same both times and differ: an order between its insert and its reservation, or
 * between its release and its FAILED mark, looks like drift for a moment but moves one of the two values.
 * The repair is a compare-and-set ({@code redis/stock-repair.lua}): a reservation or release since the
 * observation makes it a no-op, and the next run looks again. A missing key is loaded as on any use.
 * Counter {@code flashsale.reconciler.repairs} with tags {@code target=stock} and {@code kind}: {@code over}
 * (Redis overstated: would let orders past the sell-out), {@code under} (understated: lost sales, e.g. a
 * reservation lost with its record), {@code missing}.
 */
@Component
public class StockReconciler extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(StockReconciler.class);

	private static final RedisScript<Long> REPAIR = LuaScripts.STOCK_REPAIR;

	private static final int PRODUCTS_PER_READ = 500;

	private final ProductStock stock;

	private final ProductRepository repository;

	private final ReactiveStringRedisTemplate redis;

	private final ProductProperties.Reconcile properties;

	private final Map<Kind, Counter> repairs = new HashMap<>();

	private final ProductSoldOut soldOut;

	StockReconciler(ProductStock stock, ProductRepository repository, ReactiveStringRedisTemplate redis,
			ProductProperties properties, SingleRunJobs jobs, MeterRegistry meters, ProductSoldOut soldOut) {
		super(jobs);
		this.soldOut = soldOut;
		this.stock = stock;
		this.repository = repository;
		this.redis = redis;
		this.properties = properties.reconcile();
		for (Kind kind : Kind.values()) {
			this.repairs.put(kind, Counter.builder("flashsale.reconciler.repairs")
				.description("Drifts between Redis and MySQL a reconciler repaired")
				.tag("target", "stock")
				.tag("kind", kind.tag())
				.register(meters));
		}
	}

	/** What kind of drift was repaired. */
	enum Kind {

		/** Redis said more than MySQL allows. */
		OVER,

		/** Redis said less than MySQL allows. */
		UNDER,

		/** Redis had no value; it was loaded. */
		MISSING;

		String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * One repaired product.
	 * @param kind {@code over}, {@code under} or {@code missing}
	 * @param redis the sellable stock Redis had (null when missing)
	 * @param expected durable stock minus the units of PENDING orders, what Redis has now
	 */
	public record StockRepair(long productId, @Schema(allowableValues = { "over", "under", "missing" }) String kind,
			@Schema(nullable = true) Long redis, long expected) {
	}

	/**
	 * The outcome of one run.
	 * @param checked how many products were compared
	 * @param repairs the products repaired, by id
	 */
	public record StockReconciliation(int checked, List<StockRepair> repairs) {
	}

	/** One product seen once: its Redis value (null when missing) and its expected sellable stock. */
	private record Seen(Long redis, long expected) {

		boolean drifted() {
			return this.redis == null || this.redis != this.expected;
		}

	}

	/** Runs one reconciliation now: observe, wait {@code settle}, observe, repair what drifted both times. */
	public Mono<StockReconciliation> reconcile() {
		return observe().flatMap((first) -> Mono.delay(this.properties.settle(), Schedulers.parallel())
			.then(observe())
			.flatMap((second) -> repair(first, second).collectList()
				.map((repaired) -> new StockReconciliation(second.size(), repaired))));
	}

	private Mono<Map<Long, Seen>> observe() {
		return this.repository.findAll()
			.map(Product::id)
			.buffer(PRODUCTS_PER_READ)
			// MySQL first, Redis second: an order's insert precedes its reservation, so no state is missed
			.concatMap((ids) -> this.stock.expected(ids).collectList().flatMapMany(this::withRedis))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	private Flux<Map.Entry<Long, Seen>> withRedis(List<Expected> expected) {
		if (expected.isEmpty()) {
			return Flux.empty();
		}
		return this.redis.opsForValue()
			.multiGet(expected.stream().map((e) -> ProductKeys.stock(e.productId())).toList())
			.flatMapMany((values) -> {
				List<Map.Entry<Long, Seen>> seen = new ArrayList<>(expected.size());
				for (int i = 0; i < expected.size(); i++) {
					String value = values.get(i);
					seen.add(Map.entry(expected.get(i).productId(),
							new Seen((value != null) ? Long.valueOf(value) : null, expected.get(i).sellable())));
				}
				return Flux.fromIterable(seen);
			});
	}

	private Flux<StockRepair> repair(Map<Long, Seen> first, Map<Long, Seen> second) {
		return Flux.fromIterable(second.entrySet())
			.filter((entry) -> entry.getValue().drifted() && Objects.equals(first.get(entry.getKey()), entry.getValue()))
			.sort(Map.Entry.comparingByKey())
			.concatMap((entry) -> repair(entry.getKey(), entry.getValue()));
	}

	private Mono<StockRepair> repair(long productId, Seen seen) {
		if (seen.redis() == null) {
			return this.stock.loadMissing(List.of(productId))
				.filter((loaded) -> loaded > 0)
				.map((loaded) -> repaired(productId, Kind.MISSING, seen));
		}
		return this.redis
			.execute(REPAIR, List.of(ProductKeys.stock(productId)),
					List.of(Long.toString(seen.redis()), Long.toString(seen.expected())))
			.next()
			// repaired upwards, or maybe (a lost reply): units may be back
			.doOnEach((signal) -> {
				if (seen.expected() > seen.redis() && (Long.valueOf(1L).equals(signal.get()) || signal.isOnError())) {
					this.soldOut.stockBack(List.of(productId));
				}
			})
			.filter((set) -> set == 1L)
			.map((set) -> repaired(productId, (seen.redis() > seen.expected()) ? Kind.OVER : Kind.UNDER, seen));
	}

	private StockRepair repaired(long productId, Kind kind, Seen seen) {
		this.repairs.get(kind).increment();
		logger.warn("Product " + productId + ": sellable stock in Redis was " + seen.redis() + ", MySQL says "
				+ seen.expected() + "; repaired (" + kind.tag() + ")");
		return new StockRepair(productId, kind.tag(), seen.redis(), seen.expected());
	}

	@Override
	protected Schedule schedule() {
		Duration interval = this.properties.interval();
		return Schedule.oneInstance("stock-reconciler", interval, interval, interval.multipliedBy(4));
	}

	@Override
	protected Mono<StockReconciliation> runOnce() {
		return reconcile();
	}

}
