package com.example.flashsale.balance;

import java.util.Map;
import java.util.StringJoiner;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Accounts and ledger checks shared by the tests that move money. */
public final class BalanceFixtures {

	private BalanceFixtures() {
	}

	/** Creates an account with a zero balance through the admin API and returns its id. */
	public static long newAccount(WebTestClient client, String adminToken) {
		Map<String, Object> user = client.post().uri("/api/admin/users").headers((h) -> h.setBearerAuth(adminToken))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"buyer\"}")
			.exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		return ((Number) user.get("id")).longValue();
	}

	/**
	 * Writes {@code count} CHARGE rows of {@code amount} KRW for {@code userId} straight to the database,
	 * balance included, keeping the ledger invariant (for setting up states the API takes long to reach).
	 */
	public static void seedCharges(DatabaseClient db, long userId, int count, long amount) {
		long balance = balance(db, userId);
		StringJoiner values = new StringJoiner(", ");
		for (int i = 1; i <= count; i++) {
			values.add("(" + userId + ", 'CHARGE', " + amount + ", " + (balance + i * amount) + ", 'COMPLETED', UTC_TIMESTAMP(6))");
		}
		db.sql("INSERT INTO balance_transactions (user_id, type, amount, balance_after, status, created_at) VALUES " + values)
			.then().block();
		db.sql("UPDATE users SET balance = ? WHERE id = ?").bind(0, balance + count * amount).bind(1, userId).then().block();
	}

	/** The balance column of {@code userId}. */
	public static long balance(DatabaseClient db, long userId) {
		return db.sql("SELECT balance FROM users WHERE id = ?").bind(0, userId)
			.map((row) -> row.get("balance", Long.class)).one().block();
	}

	/** How many ledger rows {@code userId} has. */
	static long ledgerRows(DatabaseClient db, long userId) {
		return db.sql("SELECT COUNT(*) AS n FROM balance_transactions WHERE user_id = ?").bind(0, userId)
			.map((row) -> row.get("n", Long.class)).one().block();
	}

	/**
	 * Asserts the ledger invariant (docs/invariants.md) for every account in the database: the balance
	 * equals the sum of the COMPLETED amounts, never negative, and each row's balance_after is the
	 * running sum of the rows before it (no lost or interleaved update).
	 */
	public static void assertLedgerInvariant(DatabaseClient db) {
		Long mismatched = db.sql("SELECT COUNT(*) AS n FROM users u LEFT JOIN (SELECT user_id, SUM(amount) AS total "
				+ "FROM balance_transactions WHERE status = 'COMPLETED' GROUP BY user_id) t ON t.user_id = u.id "
				+ "WHERE u.balance <> COALESCE(t.total, 0) OR u.balance < 0")
			.map((row) -> row.get("n", Long.class)).one().block();
		assertThat(mismatched).as("accounts whose balance differs from their ledger").isZero();
		Long brokenChain = db.sql("SELECT COUNT(*) AS n FROM (SELECT balance_after, SUM(amount) OVER (PARTITION BY user_id "
				+ "ORDER BY id) AS running FROM balance_transactions WHERE status = 'COMPLETED') r "
				+ "WHERE r.balance_after <> r.running")
			.map((row) -> row.get("n", Long.class)).one().block();
		assertThat(brokenChain).as("ledger rows whose balance_after is not the running sum").isZero();
	}

}
