package com.example.flashsale.support.db;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Several writes sent to MySQL in one round trip, in the caller's transaction (docs/architecture.md "One
 * round trip for a payment"): their SQL is joined into one multi-statement query, which MySQL runs in
 * order, stopping at the first statement that fails (the caller's transaction then rolls back all of
 * them). Once all ran, each statement's affected-row count goes to its check, in order; the first check
 * that signals an error decides the outcome, and the caller rolls back. A check may query further (it runs
 * in the same transaction, after the whole batch).
 *
 * <p>Statements are built by the features that own their tables (docs/architecture.md "Boundaries,
 * checked"); the batch only joins them. Every statement must be a single write without a trailing
 * semicolon, and its arguments non-null.
 */
public final class SqlBatch {

	private final List<Part> parts = new ArrayList<>();

	/**
	 * Adds {@code part} after those added before.
	 * @return this batch
	 */
	public SqlBatch add(Part part) {
		this.parts.add(part);
		return this;
	}

	/**
	 * Adds {@code parts} in order.
	 * @return this batch
	 */
	public SqlBatch addAll(List<Part> parts) {
		this.parts.addAll(parts);
		return this;
	}

	/**
	 * Runs the batch on {@code db}'s connection of the current transaction.
	 * @return completes when every check passed; the first failed check's error, or the database's
	 * (translated to Spring's {@code DataAccessException}s) when a statement failed
	 */
	public Mono<Void> run(DatabaseClient db) {
		if (this.parts.isEmpty()) {
			return Mono.empty();
		}
		StringBuilder sql = new StringBuilder();
		for (Part part : this.parts) {
			sql.append((sql.length() == 0) ? "" : ";\n").append(part.sql());
		}
		String query = sql.toString();
		return db.inConnectionMany((connection) -> {
			Statement statement = connection.createStatement(query);
			int index = 0;
			for (Part part : this.parts) {
				for (Object arg : part.args()) {
					statement.bind(index++, arg);
				}
			}
			return Flux.from(statement.execute()).concatMap(Result::getRowsUpdated);
		})
			.collectList()
			.flatMap((counts) -> {
				if (counts.size() != this.parts.size()) {
					return Mono.error(new IllegalStateException(
							"The batch of " + this.parts.size() + " statements reported " + counts.size() + " results"));
				}
				return Flux.range(0, counts.size())
					.concatMap((i) -> this.parts.get(i).check().apply(counts.get(i)))
					.then();
			});
	}

	/**
	 * One statement of a batch.
	 * @param sql one SQL write with {@code ?} markers, no trailing semicolon
	 * @param args the markers' values in order, none null
	 * @param check given the affected-row count: empty when as expected, otherwise an error (the caller rolls
	 * back)
	 */
	public record Part(String sql, List<Object> args, LongFunction<Mono<Void>> check) {

		public Part {
			if (sql.indexOf(';') >= 0) {
				throw new IllegalArgumentException("One statement per part: " + sql);
			}
			args = List.copyOf(args);
		}

		/** A statement whose count is not checked. */
		public static Part unchecked(String sql, Object... args) {
			return new Part(sql, List.of(args), (rows) -> Mono.empty());
		}

		/**
		 * The check of a statement that must change exactly one row.
		 * @param otherwise what any other count signals (it may query further, in the same transaction)
		 */
		public static LongFunction<Mono<Void>> oneRowOr(Supplier<Mono<Void>> otherwise) {
			return (rows) -> (rows == 1) ? Mono.empty() : otherwise.get();
		}

		/**
		 * The check of a statement that must change exactly one row.
		 * @param error the error any other count signals
		 */
		public static LongFunction<Mono<Void>> oneRowOrError(Supplier<? extends Throwable> error) {
			return oneRowOr(() -> Mono.error(error.get()));
		}

	}

}
