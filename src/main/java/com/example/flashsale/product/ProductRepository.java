package com.example.flashsale.product;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.List;
import java.util.function.LongFunction;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.support.db.SqlBatch;

import static com.example.flashsale.support.db.UtcColumns.utc;

/** SQL for products over R2DBC; transactions are the callers' business. */
@Repository
class ProductRepository {

	private static final String COLUMNS = "id, name, price, stock, status";

	private final DatabaseClient db;

	ProductRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts an ACTIVE product and returns it. */
	Mono<Product> insert(NewProduct product, Instant now) {
		LocalDateTime at = utc(now);
		return this.db
			.sql("INSERT INTO products (name, price, stock, status, created_at, updated_at) VALUES (?, ?, ?, 'ACTIVE', ?, ?)")
			.bind(0, product.name())
			.bind(1, product.price())
			.bind(2, product.stock())
			.bind(3, at)
			.bind(4, at)
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> new Product(row.get("id", Long.class), product.name(), product.price(), product.stock(),
					ProductStatus.ACTIVE))
			.one();
	}

	/** The ACTIVE products by id. */
	Flux<Product> findActive() {
		return this.db.sql("SELECT " + COLUMNS + " FROM products WHERE status = '" + ProductStatus.ACTIVE + "' ORDER BY id")
			.map(ProductRepository::product)
			.all();
	}

	/** The first {@code limit} ACTIVE products by id. */
	Flux<Product> findActive(int limit) {
		return this.db.sql("SELECT " + COLUMNS + " FROM products WHERE status = '" + ProductStatus.ACTIVE
				+ "' ORDER BY id LIMIT ?")
			.bind(0, limit)
			.map(ProductRepository::product)
			.all();
	}

	/** The product, whatever its status; empty when it does not exist. */
	Mono<Product> findById(long id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM products WHERE id = ?")
			.bind(0, id)
			.map(ProductRepository::product)
			.one();
	}

	/** The product, row-locked until the end of the current transaction. */
	Mono<Product> lockById(long id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM products WHERE id = ? FOR UPDATE")
			.bind(0, id)
			.map(ProductRepository::product)
			.one();
	}

	/** Writes every field of {@code product}. */
	Mono<Void> update(Product product, Instant now) {
		return this.db.sql("UPDATE products SET name = ?, price = ?, stock = ?, status = ?, updated_at = ? WHERE id = ?")
			.bind(0, product.name())
			.bind(1, product.price())
			.bind(2, product.stock())
			.bind(3, product.status().name())
			.bind(4, utc(now))
			.bind(5, product.id())
			.then();
	}

	/**
	 * Takes {@code quantity} off the durable stock if that much is left (the conditional decrement that
	 * makes overselling impossible in MySQL whatever Redis says), as one statement of a batch.
	 * @param check given the affected rows: 1 when the stock was taken, 0 when too little was left
	 */
	SqlBatch.Part decrementStock(long id, int quantity, Instant now, LongFunction<Mono<Void>> check) {
		return new SqlBatch.Part("UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?",
				List.of(quantity, utc(now), id, quantity), check);
	}

	/**
	 * Takes {@code quantity} off the durable stock if the product is still ACTIVE at {@code price} (KRW) and
	 * has the units, as one statement of a batch: it both checks the committed price under the row lock and
	 * decrements.
	 * @param check given the affected rows: 1 when taken, 0 when nothing changed (another price, not ACTIVE,
	 * or too little stock)
	 */
	SqlBatch.Part decrementStockAt(long id, int quantity, long price, Instant now, LongFunction<Mono<Void>> check) {
		return new SqlBatch.Part("UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ? AND price = ? "
				+ "AND status = '" + ProductStatus.ACTIVE + "'", List.of(quantity, utc(now), id, quantity, price), check);
	}

	/** Puts {@code quantity} back on the durable stock (a refunded order). */
	Mono<Void> incrementStock(long id, int quantity, Instant now) {
		return this.db.sql("UPDATE products SET stock = stock + ?, updated_at = ? WHERE id = ?")
			.bind(0, quantity)
			.bind(1, utc(now))
			.bind(2, id)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/** Every product, by id. */
	Flux<Product> findAll() {
		return this.db.sql("SELECT " + COLUMNS + " FROM products ORDER BY id").map(ProductRepository::product).all();
	}

	/** The products of {@code ids} that exist. */
	Flux<Product> findByIds(Collection<Long> ids) {
		if (ids.isEmpty()) {
			return Flux.empty();
		}
		return this.db.sql("SELECT " + COLUMNS + " FROM products WHERE id IN (:ids)")
			.bind("ids", ids)
			.map(ProductRepository::product)
			.all();
	}

	private static Product product(Readable row) {
		return new Product(row.get("id", Long.class), row.get("name", String.class), row.get("price", Long.class),
				row.get("stock", Integer.class), ProductStatus.valueOf(row.get("status", String.class)));
	}

}
