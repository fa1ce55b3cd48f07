package com.example.flashsale.popular;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.order.OrderSales.DailySales;

import static com.example.flashsale.support.db.UtcColumns.utc;

/** SQL of the statistics table {@code product_sales_stats} over R2DBC; transactions are the callers'. */
@Repository
class PopularRepository {

	static final int ROWS_PER_INSERT = 500;

	private final DatabaseClient db;

	PopularRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Deletes the statistics of the UTC days {@code from}..{@code to}, both included. */
	Mono<Long> deleteDays(LocalDate from, LocalDate to) {
		return this.db.sql("DELETE FROM product_sales_stats WHERE sales_date >= ? AND sales_date <= ?")
			.bind(0, from)
			.bind(1, to)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Inserts one statistics row per entry of {@code sales}, a few hundred per statement. {@code sales} is read
	 * to its end before the first insert: it is usually a query on the same connection (the caller's
	 * transaction), which sends no other statement until that query's rows are all taken, while the inserts
	 * would take no more rows until the first one answered. With more than {@value #ROWS_PER_INSERT} rows that
	 * waited until the statement timeout, which also made the instance refuse every statement for up to one
	 * timeout (seen at startup with 1,813 rows; {@code PopularProductsTest}).
	 * @return how many rows were written
	 */
	Mono<Long> insert(Flux<DailySales> sales, Instant now) {
		return sales.buffer(ROWS_PER_INSERT)
			.collectList()
			.flatMapMany(Flux::fromIterable)
			.concatMap((batch) -> insertBatch(batch, now))
			.reduce(0L, Long::sum);
	}

	private Mono<Long> insertBatch(List<DailySales> batch, Instant now) {
		StringJoiner values = new StringJoiner(", ");
		batch.forEach((row) -> values.add("(?, ?, ?, ?)"));
		DatabaseClient.GenericExecuteSpec spec = this.db
			.sql("INSERT INTO product_sales_stats (product_id, sales_date, quantity, updated_at) VALUES " + values);
		int index = 0;
		for (DailySales row : batch) {
			spec = spec.bind(index++, row.productId())
				.bind(index++, row.day())
				.bind(index++, row.quantity())
				.bind(index++, utc(now));
		}
		return spec.fetch().rowsUpdated();
	}

	/**
	 * One product's units over a window.
	 * @param total units sold
	 */
	record ProductTotal(long productId, long total) {
	}

	/** Every product's units sold since the UTC day {@code from} (included), best first, ties by id. */
	Flux<ProductTotal> totalsSince(LocalDate from) {
		return this.db.sql("SELECT product_id, CAST(SUM(quantity) AS SIGNED) AS total FROM product_sales_stats "
				+ "WHERE sales_date >= ? GROUP BY product_id ORDER BY total DESC, product_id")
			.bind(0, from)
			.map((row) -> new ProductTotal(row.get("product_id", Long.class), row.get("total", Long.class)))
			.all();
	}

	/** When the statistics were last written; empty when the table is empty. */
	Mono<Instant> lastUpdate() {
		return this.db.sql("SELECT MAX(updated_at) AS last FROM product_sales_stats")
			.map((row) -> Optional.ofNullable(row.get("last", LocalDateTime.class)))
			.one()
			.flatMap((last) -> Mono.justOrEmpty(last.map((at) -> at.toInstant(ZoneOffset.UTC))));
	}

}
