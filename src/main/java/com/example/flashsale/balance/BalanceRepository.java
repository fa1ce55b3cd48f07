package com.example.flashsale.balance;

import java.time.Instant;
import java.util.List;
import java.util.function.LongFunction;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.support.db.SqlBatch;

import static com.example.flashsale.support.db.UtcColumns.instant;
import static com.example.flashsale.support.db.UtcColumns.utc;

/** SQL for balances and the ledger over R2DBC; transactions are the callers' business. */
@Repository
class BalanceRepository {

	/**
	 * A COMPLETED ledger row of an order, {@code balance_after} read from the user's row; binds type, signed
	 * amount (KRW), order id, created at, user id.
	 */
	private static final String ORDER_ENTRY = "INSERT INTO balance_transactions (user_id, type, amount, balance_after, "
			+ "order_id, status, created_at) SELECT id, ?, ?, balance, ?, '" + LedgerStatus.COMPLETED + "', ? FROM users WHERE id = ?";

	private final DatabaseClient db;

	BalanceRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts an account with a zero balance. */
	Mono<User> insertUser(String name, Instant now) {
		return this.db.sql("INSERT INTO users (name, balance, created_at, updated_at) VALUES (?, 0, ?, ?)")
			.bind(0, name)
			.bind(1, utc(now))
			.bind(2, utc(now))
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> new User(row.get("id", Long.class), name, 0))
			.one();
	}

	/** Whether the {@code users} table has a row. */
	Mono<Boolean> anyUser() {
		return this.db.sql("SELECT EXISTS (SELECT 1 FROM users) AS any_user")
			.map((row) -> row.get("any_user", Long.class) == 1L)
			.one();
	}

	/** The user's balance; empty when the user does not exist. */
	Mono<Long> findBalance(long userId) {
		return this.db.sql("SELECT balance FROM users WHERE id = ?")
			.bind(0, userId)
			.map((row) -> row.get("balance", Long.class))
			.one();
	}

	/** The user's balance, row-locked until the end of the current transaction; empty when no such user. */
	Mono<Long> lockBalance(long userId) {
		return this.db.sql("SELECT balance FROM users WHERE id = ? FOR UPDATE")
			.bind(0, userId)
			.map((row) -> row.get("balance", Long.class))
			.one();
	}

	/** Sets the user's balance (the caller holds the row lock and writes the ledger row). */
	Mono<Void> setBalance(long userId, long balance, Instant now) {
		return this.db.sql("UPDATE users SET balance = ?, updated_at = ? WHERE id = ?")
			.bind(0, balance)
			.bind(1, utc(now))
			.bind(2, userId)
			.then();
	}

	/** Appends a COMPLETED CHARGE row and returns its id. */
	Mono<Long> insertCharge(long userId, long amount, long balanceAfter, Instant now) {
		return this.db.sql("INSERT INTO balance_transactions (user_id, type, amount, balance_after, status, created_at) "
				+ "VALUES (?, '" + LedgerType.CHARGE + "', ?, ?, '" + LedgerStatus.COMPLETED + "', ?)")
			.bind(0, userId)
			.bind(1, amount)
			.bind(2, balanceAfter)
			.bind(3, utc(now))
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	/**
	 * Deducts {@code amount} KRW if the balance covers it, as one statement of a batch.
	 * @param check given the affected rows: 1 when deducted, 0 when the balance is lower or no such user
	 */
	SqlBatch.Part deductIfCovered(long userId, long amount, Instant now, LongFunction<Mono<Void>> check) {
		return new SqlBatch.Part("UPDATE users SET balance = balance - ?, updated_at = ? WHERE id = ? AND balance >= ?",
				List.of(amount, utc(now), userId, amount), check);
	}

	/**
	 * Appends a COMPLETED PAYMENT row of {@code -amount} for {@code orderId} with the user's balance as
	 * {@code balance_after}, as one statement of a batch (read in the same statement: put it after the
	 * deduction).
	 * @param check given the affected rows: 1 when the row was written, 0 when no such user
	 */
	SqlBatch.Part insertPayment(long userId, long orderId, long amount, Instant now, LongFunction<Mono<Void>> check) {
		return new SqlBatch.Part(ORDER_ENTRY, List.of(LedgerType.PAYMENT.name(), -amount, orderId, utc(now), userId), check);
	}

	/**
	 * Credits {@code amount} KRW back (a refund: no cap applies, the money was the user's).
	 * @return false when the user does not exist
	 */
	Mono<Boolean> credit(long userId, long amount, Instant now) {
		return this.db.sql("UPDATE users SET balance = balance + ?, updated_at = ? WHERE id = ?")
			.bind(0, amount)
			.bind(1, utc(now))
			.bind(2, userId)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	/**
	 * Appends a COMPLETED REFUND row of {@code amount} for {@code orderId}, {@code balance_after} read in
	 * the same statement (call it after the credit, in its transaction).
	 * @return the row's id
	 */
	Mono<Long> insertRefund(long userId, long orderId, long amount, Instant now) {
		return insertOrderEntry(LedgerType.REFUND, userId, orderId, amount, now);
	}

	/** The amount of {@code orderId}'s PAYMENT rows not yet refunded (KRW, >= 0). */
	Mono<Long> unrefundedPayment(long orderId) {
		return this.db.sql("SELECT CAST(COALESCE(-SUM(amount), 0) AS SIGNED) AS owed FROM balance_transactions "
				+ "WHERE order_id = ? AND type IN ('" + LedgerType.PAYMENT + "', '" + LedgerType.REFUND + "') AND status = '"
				+ LedgerStatus.COMPLETED + "'")
			.bind(0, orderId)
			.map((row) -> row.get("owed", Long.class))
			.one();
	}

	private Mono<Long> insertOrderEntry(LedgerType type, long userId, long orderId, long signedAmount, Instant now) {
		return this.db.sql(ORDER_ENTRY)
			.bind(0, type.name())
			.bind(1, signedAmount)
			.bind(2, orderId)
			.bind(3, utc(now))
			.bind(4, userId)
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	/** Up to {@code limit} of the user's ledger rows with an id below {@code beforeId}, newest first. */
	Flux<LedgerEntry> findLedger(long userId, long beforeId, int limit) {
		return this.db.sql("SELECT id, type, amount, balance_after, order_id, status, created_at FROM balance_transactions "
				+ "WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?")
			.bind(0, userId)
			.bind(1, beforeId)
			.bind(2, limit)
			.map((row) -> new LedgerEntry(row.get("id", Long.class), LedgerType.valueOf(row.get("type", String.class)),
					row.get("amount", Long.class), row.get("balance_after", Long.class), row.get("order_id", Long.class),
					LedgerStatus.valueOf(row.get("status", String.class)), instant(row, "created_at")))
			.all();
	}

}
