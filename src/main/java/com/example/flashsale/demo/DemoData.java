package com.example.flashsale.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.product.ProductStock;

/**
 * Loads demo users (ids 1-3, each with a 100,000 KRW balance backed by a CHARGE ledger row), three
 * products and the open coupon event {@code WELCOME} (100 coupons of 3,000 KRW, open for 30 days) into
 * an empty database. Runs once at startup of the {@code local} profile; does nothing when users exist.
 */
@Component
@Profile("local")
class DemoData implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(DemoData.class);

	private static final long DEMO_BALANCE = 100_000;

	private final DatabaseClient db;

	private final TransactionalOperator transactional;

	private final Clock clock;

	private final ProductStock stock;

	private final ProductCatalog catalog;

	DemoData(DatabaseClient db, TransactionalOperator transactional, Clock clock, ProductStock stock,
			ProductCatalog catalog) {
		this.db = db;
		this.transactional = transactional;
		this.clock = clock;
		this.stock = stock;
		this.catalog = catalog;
	}

	/**
	 * Starts the load without waiting for it: the runner thread must not block, and the demo rows land
	 * within milliseconds of startup. Failures are logged; the service runs without demo data then.
	 */
	@Override
	public void run(ApplicationArguments args) {
		this.db.sql("SELECT COUNT(*) AS n FROM users")
			.map((row) -> row.get("n", Long.class))
			.one()
			.filter((users) -> users == 0)
			.flatMap((empty) -> load(LocalDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC)))
			// the demo products' sellable stock, and no cached catalogue from before they existed
			.flatMap((loaded) -> this.stock.loadAll().then(this.catalog.evict(List.of())).thenReturn(loaded)
				.onErrorResume((ex) -> {
					logger.warn("Demo data loaded, but its Redis stock and cache were not refreshed (they load on demand): "
							+ ex);
					return Mono.just(loaded);
				}))
			.subscribe((loaded) -> logger.info("Loaded demo data: users 1-3, 3 products, coupon event WELCOME"),
					(ex) -> logger.error("Could not load the demo data", ex));
	}

	private Mono<Boolean> load(LocalDateTime now) {
		return Flux.just("Alice", "Bob", "Carol")
			.concatMap((name) -> this.db
				.sql("INSERT INTO users (name, balance, created_at, updated_at) VALUES (?, ?, ?, ?)")
				.bind(0, name).bind(1, DEMO_BALANCE).bind(2, now).bind(3, now)
				.filter((statement) -> statement.returnGeneratedValues("id"))
				.map((row) -> row.get("id", Long.class))
				.one()
				.flatMap((id) -> this.db.sql("INSERT INTO balance_transactions (user_id, type, amount, balance_after, "
						+ "status, created_at) VALUES (?, 'CHARGE', ?, ?, 'COMPLETED', ?)")
					.bind(0, id).bind(1, DEMO_BALANCE).bind(2, DEMO_BALANCE).bind(3, now)
					.then()))
			.thenMany(Flux.just(new DemoProduct("Mechanical keyboard", 89_000, 100),
					new DemoProduct("Wireless mouse", 39_000, 200), new DemoProduct("Limited sneakers", 159_000, 10)))
			.concatMap((product) -> this.db
				.sql("INSERT INTO products (name, price, stock, status, created_at, updated_at) VALUES (?, ?, ?, 'ACTIVE', ?, ?)")
				.bind(0, product.name()).bind(1, product.price()).bind(2, product.stock()).bind(3, now).bind(4, now)
				.then())
			.then(this.db.sql("INSERT INTO coupons (code, name, discount_amount, total_quantity, issued_count, starts_at, "
					+ "ends_at, valid_days, status, created_at) VALUES ('WELCOME', 'Welcome 3,000 KRW off', 3000, 100, 0, ?, ?, 7, "
					+ "'ACTIVE', ?)")
				.bind(0, now.minus(Duration.ofMinutes(1))).bind(1, now.plus(Duration.ofDays(30))).bind(2, now)
				.then())
			.thenReturn(true)
			.as(this.transactional::transactional);
	}

	/** A demo product; price in KRW. */
	private record DemoProduct(String name, long price, int stock) {
	}

}
