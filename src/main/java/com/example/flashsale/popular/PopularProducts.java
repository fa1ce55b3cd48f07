package com.example.flashsale.popular;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.order.OrderSales;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.product.ProductStatus;
import com.example.flashsale.support.cache.ReadThroughCache;
import com.example.flashsale.support.cache.ReadThroughCaches;
import com.example.flashsale.support.config.TransactionConfig;
import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;

/**
 * Popular products (docs/flows.md "Popular products"; docs/api.md "Popular products").
 * <ul>
 * <li><b>Aggregation</b>, a one-instance {@link BackgroundJob}: every {@code app.popular.interval} (1 h) the
 * daily quantities of PAID orders (by payment time, UTC days; read through {@link OrderSales}) are
 * recomputed into {@code product_sales_stats} for the recent days, in one transaction (delete the days,
 * insert them again: a rerun is harmless and exact). Its first run, at startup, recomputes the last
 * {@code max-days} days when the table is older than one interval (or empty).</li>
 * <li><b>Reading</b>: {@link #top} ranks ACTIVE products by quantity over the last {@code days} days (today
 * included), names and prices from the {@link ProductCatalog}, through the cache
 * {@code products:popular:<days>:<limit>} (1 h; an empty result 10 min). After an aggregation the
 * default query's entry is evicted; others follow within their TTL.</li>
 * </ul>
 */
@Component
public class PopularProducts extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(PopularProducts.class);

	private final PopularRepository repository;

	private final OrderSales sales;

	private final ProductCatalog catalog;

	private final TransactionalOperator transactional;

	private final ReadThroughCache<PopularList> cache;

	private final PopularProperties properties;

	private final Clock clock;

	private final AtomicBoolean firstRun = new AtomicBoolean(true);

	PopularProducts(PopularRepository repository, OrderSales sales, ProductCatalog catalog,
			@Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional, SingleRunJobs jobs,
			ReadThroughCaches caches, PopularProperties properties, Clock clock) {
		super(jobs);
		this.repository = repository;
		this.sales = sales;
		this.catalog = catalog;
		this.transactional = transactional;
		this.cache = caches.create(PopularKeys.CACHE, PopularList.class, properties.cacheTtl(), properties.emptyCacheTtl());
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * One ranked product.
	 * @param price the unit price in KRW
	 * @param totalSales units sold in the window
	 */
	public record PopularProduct(int rank, long productId, String name, long price, long totalSales) {
	}

	/** {@code {products, from, to}}: the ranking over the UTC days {@code from}..{@code to}, both included. */
	public record PopularList(List<PopularProduct> products, LocalDate from, LocalDate to) {
	}

	/**
	 * The top {@code limit} products of the last {@code days} days, from the cache.
	 * @return the ranking; 400 INVALID_REQUEST when days is outside 1..max-days or limit outside 1..max-limit
	 */
	public Mono<PopularList> top(int days, int limit) {
		if (days < 1 || days > this.properties.maxDays()) {
			return Mono.error(ProblemException.invalid("days must be 1 to " + this.properties.maxDays() + ", got " + days + "."));
		}
		if (limit < 1 || limit > this.properties.maxLimit()) {
			return Mono.error(ProblemException.invalid("limit must be 1 to " + this.properties.maxLimit() + ", got " + limit + "."));
		}
		LocalDate to = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		LocalDate from = to.minusDays(days - 1);
		return this.cache.get(PopularKeys.ranking(days, limit), () -> load(from, to, limit).filter((list) -> !list.products().isEmpty()))
			.defaultIfEmpty(new PopularList(List.of(), from, to));
	}

	private Mono<PopularList> load(LocalDate from, LocalDate to, int limit) {
		return Mono.defer(() -> {
			AtomicInteger rank = new AtomicInteger();
			return this.repository.totalsSince(from)
				.collectList()
				.flatMapMany(Flux::fromIterable)
				.concatMap((total) -> this.catalog.find(total.productId())
					.filter((product) -> product.status() == ProductStatus.ACTIVE)
					.map((product) -> new PopularProduct(0, product.id(), product.name(), product.price(), total.total()))
					// a product deleted since it sold is not ranked
					.onErrorResume(ProblemException.class, (gone) -> Mono.empty()))
				.take(limit)
				.map((product) -> new PopularProduct(rank.incrementAndGet(), product.productId(), product.name(),
						product.price(), product.totalSales()))
				.collectList()
				.map((ranked) -> new PopularList(ranked, from, to));
		});
	}

	/**
	 * Recomputes the statistics of the UTC days {@code from}..{@code to} (both included) from PAID orders,
	 * in one transaction, and evicts the default query's cache entry.
	 * @return how many (product, day) rows were written
	 */
	Mono<Long> aggregate(LocalDate from, LocalDate to) {
		Instant now = this.clock.instant();
		Mono<Long> work = this.repository.deleteDays(from, to)
			.then(this.repository.insert(this.sales.paidQuantitiesByDay(from, to), now));
		return RunToCompletion.of(() -> work.as(this.transactional::transactional))
			.flatMap((rows) -> this.cache.evict(PopularKeys.ranking(this.properties.defaultDays(), this.properties.defaultLimit()))
				.onErrorResume((ex) -> Mono.empty())
				.thenReturn(rows));
	}

	/** The scheduled run: the days since the previous run could have changed (today and the interval back). */
	private Mono<Long> aggregateRecent() {
		LocalDate today = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		long back = Math.max(1, (this.properties.interval().toHours() + 23) / 24);
		return aggregate(today.minusDays(back), today);
	}

	/**
	 * At startup: the whole window, if the table is older than one interval (or empty).
	 * @return rows written; empty when the table was fresh
	 */
	Mono<Long> aggregateIfStale() {
		Instant staleBefore = this.clock.instant().minus(this.properties.interval());
		return this.repository.lastUpdate()
			.map((last) -> last.isBefore(staleBefore))
			.defaultIfEmpty(true)
			.filter(Boolean::booleanValue)
			.flatMap((stale) -> {
				LocalDate today = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
				return aggregate(today.minusDays(this.properties.maxDays() - 1), today)
					.doOnNext((rows) -> logger.info("Popular products: statistics were stale; recomputed " + rows + " rows"));
			});
	}

	@Override
	protected Schedule schedule() {
		return Schedule.oneInstance("popular-products", Duration.ZERO, this.properties.interval(),
				this.properties.lockAtMostFor());
	}

	/** The first run (at startup) recomputes a stale table; the later ones the recent days. */
	@Override
	protected Mono<Long> runOnce() {
		return this.firstRun.getAndSet(false) ? aggregateIfStale() : aggregateRecent();
	}

}
