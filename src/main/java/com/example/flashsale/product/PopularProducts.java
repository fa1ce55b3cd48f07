package com.example.flashsale.product;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.cache.ReadThroughCache;
import com.example.flashsale.support.cache.ReadThroughCaches;
import com.example.flashsale.support.config.TransactionConfig;
import com.example.flashsale.support.jobs.ScheduledLifecycle;
import com.example.flashsale.support.jobs.SingleRunJobs;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;

import static com.example.flashsale.support.db.UtcColumns.utc;

/**
 * Popular products (SPEC sections 3 and 4 "Popular products"; seeds 000 scenario 7, 001-003: hourly
 * batch, top 5 of the last 3 days, cache {@code products:popular}).
 * <ul>
 * <li><b>Aggregation</b>: every {@code app.popular.interval} (1 h) the daily quantities of PAID orders
 * (by payment time, UTC days) are recomputed into {@code product_sales_stats} for the recent days, in one
 * transaction (delete the days, insert them again: a rerun is harmless and exact). At startup, when the
 * table is older than one interval (or empty), the last {@code max-days} days are recomputed. One instance
 * at a time ({@link SingleRunJobs}).</li>
 * <li><b>Reading</b>: {@code GET /api/products/popular?days=3&limit=5} ranks ACTIVE products by quantity
 * over the last {@code days} days (today included), through the cache
 * {@code products:popular:<days>:<limit>} (1 h; an empty result 10 min). After an aggregation the
 * default query's entry is evicted; others follow within their TTL.</li>
 * </ul>
 */
@Component
public class PopularProducts extends ScheduledLifecycle {

	private static final Log logger = LogFactory.getLog(PopularProducts.class);

	static final String CACHE = "products:popular";

	/** The default window, days (seed 001: the last 3 days). */
	static final int DEFAULT_DAYS = 3;

	/** The default number of products (seed 001: the top 5). */
	static final int DEFAULT_LIMIT = 5;

	private final DatabaseClient db;

	private final TransactionalOperator transactional;

	private final SingleRunJobs jobs;

	private final ReadThroughCache<PopularList> cache;

	private final Settings settings;

	private final Clock clock;

	PopularProducts(DatabaseClient db, @Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional, SingleRunJobs jobs, ReadThroughCaches caches,
			Settings settings, Clock clock) {
		this.db = db;
		this.transactional = transactional;
		this.jobs = jobs;
		this.cache = caches.create(CACHE, PopularList.class, Duration.ofHours(1), Duration.ofMinutes(10));
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * {@code app.popular.*}.
	 * @param interval how often the statistics are recomputed
	 * @param maxDays the longest window a query may ask for, and what a stale startup recomputes
	 * @param maxLimit the most products a query may ask for
	 */
	@ConfigurationProperties("app.popular")
	record Settings(@DefaultValue("1h") Duration interval, @DefaultValue("30") int maxDays,
			@DefaultValue("50") int maxLimit) {
	}

	/**
	 * One ranked product.
	 * @param totalSales units sold in the window
	 */
	public record PopularProduct(int rank, long productId, String name, long price, long totalSales) {
	}

	/** {@code {products, from, to}}: the ranking over the UTC days {@code from}..{@code to}, both included. */
	public record PopularList(List<PopularProduct> products, LocalDate from, LocalDate to) {
	}

	/**
	 * The top {@code limit} products of the last {@code days} days, from the cache.
	 * @throws ProblemException 400 INVALID_REQUEST when days is outside 1..max-days or limit outside 1..max-limit
	 */
	public Mono<PopularList> top(int days, int limit) {
		if (days < 1 || days > this.settings.maxDays()) {
			throw ProblemException.invalid("days must be 1 to " + this.settings.maxDays() + ", got " + days + ".");
		}
		if (limit < 1 || limit > this.settings.maxLimit()) {
			throw ProblemException.invalid("limit must be 1 to " + this.settings.maxLimit() + ", got " + limit + ".");
		}
		LocalDate to = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		LocalDate from = to.minusDays(days - 1);
		return this.cache.get(key(days, limit), () -> load(from, to, limit).filter((list) -> !list.products().isEmpty()))
			.defaultIfEmpty(new PopularList(List.of(), from, to));
	}

	/** The cache key of one query: {@code products:popular:<days>:<limit>}. */
	static String key(int days, int limit) {
		return CACHE + ":" + days + ":" + limit;
	}

	private Mono<PopularList> load(LocalDate from, LocalDate to, int limit) {
		AtomicInteger rank = new AtomicInteger();
		return this.db.sql("SELECT s.product_id, p.name, p.price, CAST(SUM(s.quantity) AS SIGNED) AS total "
				+ "FROM product_sales_stats s JOIN products p ON p.id = s.product_id "
				+ "WHERE s.sales_date >= ? AND p.status = 'ACTIVE' "
				+ "GROUP BY s.product_id, p.name, p.price ORDER BY total DESC, s.product_id LIMIT ?")
			.bind(0, from)
			.bind(1, limit)
			.map((row) -> new PopularProduct(rank.incrementAndGet(), row.get("product_id", Long.class),
					row.get("name", String.class), row.get("price", Long.class), row.get("total", Long.class)))
			.all()
			.collectList()
			.map((ranked) -> new PopularList(ranked, from, to));
	}

	/**
	 * Recomputes the statistics of the UTC days {@code from}..{@code to} (both included) from PAID orders,
	 * in one transaction, and evicts the default query's cache entry.
	 * @return how many (product, day) rows were written
	 */
	Mono<Long> aggregate(LocalDate from, LocalDate to) {
		Instant now = this.clock.instant();
		Mono<Long> work = this.db.sql("DELETE FROM product_sales_stats WHERE sales_date >= ? AND sales_date <= ?")
			.bind(0, from)
			.bind(1, to)
			.fetch()
			.rowsUpdated()
			.then(this.db.sql("INSERT INTO product_sales_stats (product_id, sales_date, quantity, updated_at) "
					+ "SELECT oi.product_id, DATE(pay.paid_at), SUM(oi.quantity), ? FROM payments pay "
					+ "JOIN orders o ON o.id = pay.order_id AND o.status = 'PAID' "
					+ "JOIN order_items oi ON oi.order_id = o.id "
					+ "WHERE pay.paid_at >= ? AND pay.paid_at < ? GROUP BY oi.product_id, DATE(pay.paid_at)")
				.bind(0, utc(now))
				.bind(1, from.atStartOfDay())
				.bind(2, to.plusDays(1).atStartOfDay())
				.fetch()
				.rowsUpdated());
		return RunToCompletion.of(() -> work.as(this.transactional::transactional))
			.flatMap((rows) -> this.cache.evict(key(DEFAULT_DAYS, DEFAULT_LIMIT))
				.onErrorResume((ex) -> Mono.empty())
				.thenReturn(rows));
	}

	/** The scheduled run: the days since the previous run could have changed (today and the interval back). */
	private Mono<Long> aggregateRecent() {
		LocalDate today = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		long back = Math.max(1, (this.settings.interval().toHours() + 23) / 24);
		return aggregate(today.minusDays(back), today);
	}

	/**
	 * At startup: the whole window, if the table is older than one interval (or empty).
	 * @return rows written; empty when the table was fresh
	 */
	Mono<Long> aggregateIfStale() {
		Instant staleBefore = this.clock.instant().minus(this.settings.interval());
		return this.db.sql("SELECT MAX(updated_at) AS last FROM product_sales_stats")
			.map((row) -> Optional.ofNullable(row.get("last", LocalDateTime.class)))
			.one()
			.filter((last) -> last.isEmpty() || last.get().toInstant(ZoneOffset.UTC).isBefore(staleBefore))
			.flatMap((stale) -> {
				LocalDate today = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
				return aggregate(today.minusDays(this.settings.maxDays() - 1), today);
			});
	}

	@Override
	protected Disposable schedule() {
		Disposable startup = this.jobs.runAlone("popular-products", Duration.ofMinutes(10), this::aggregateIfStale)
			.subscribe((rows) -> logger.info("Popular products: statistics were stale; recomputed " + rows + " rows"),
					(ex) -> logger.warn("Popular products: startup aggregation failed; the schedule retries: " + ex));
		Disposable hourly = this.jobs.schedule("popular-products", this.settings.interval(), this.settings.interval(),
				Duration.ofMinutes(10), this::aggregateRecent);
		return Disposables.composite(startup, hourly);
	}

}
