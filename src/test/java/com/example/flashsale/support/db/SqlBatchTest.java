package com.example.flashsale.support.db;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link SqlBatch} on the real database, in the service's transactions: every statement runs in one round
 * trip, each check gets its own statement's row count in order, the first failed check decides and the
 * transaction rolls back whole, and a failing statement stops the batch and rolls it back too.
 */
class SqlBatchTest extends IntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	DatabaseClient db;

	@Autowired
	TransactionalOperator transactional;

	private String tag;

	@BeforeEach
	void probeTable() {
		this.db.sql("CREATE TABLE IF NOT EXISTS sql_batch_probe (id BIGINT PRIMARY KEY AUTO_INCREMENT, tag VARCHAR(64), "
				+ "v BIGINT, UNIQUE KEY uk_probe (tag, v))").then().block(TIMEOUT);
		this.tag = UUID.randomUUID().toString();
		this.db.sql("INSERT INTO sql_batch_probe (tag, v) VALUES (?, 10), (?, 20)").bind(0, this.tag).bind(1, this.tag)
			.then().block(TIMEOUT);
	}

	@Test
	void eachCheckGetsItsOwnStatementsRowCountInOrder() {
		List<Long> seen = new CopyOnWriteArrayList<>();
		SqlBatch batch = new SqlBatch()
			.add(part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ?", seen, this.tag))
			.add(part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ? AND v > 15", seen, this.tag))
			.add(part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ? AND v < 0", seen, this.tag))
			.add(part("INSERT INTO sql_batch_probe (tag, v) VALUES (?, ?)", seen, this.tag, 100));

		batch.run(this.db).as(this.transactional::transactional).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

		assertThat(seen).containsExactly(2L, 1L, 0L, 1L);
		assertThat(values()).containsExactly(11L, 22L, 100L);
	}

	@Test
	void theFirstFailedCheckDecidesAndTheTransactionRollsBackWhole() {
		List<Long> seen = new CopyOnWriteArrayList<>();
		SqlBatch batch = new SqlBatch().add(part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ?", seen, this.tag))
			.add(new SqlBatch.Part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ? AND v < 0", List.of(this.tag),
					(rows) -> (rows == 1) ? Mono.empty() : Mono.error(new IllegalStateException("first: " + rows))))
			.add(new SqlBatch.Part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ? AND v < 0", List.of(this.tag),
					(rows) -> Mono.error(new IllegalStateException("second"))));

		batch.run(this.db).as(this.transactional::transactional).as(StepVerifier::create)
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(IllegalStateException.class).hasMessage("first: 0"))
			.verify(TIMEOUT);

		assertThat(seen).containsExactly(2L);
		assertThat(values()).containsExactly(10L, 20L);
	}

	@Test
	void aFailingStatementStopsTheBatchAndItRollsBackWhole() {
		List<Long> seen = new CopyOnWriteArrayList<>();
		SqlBatch batch = new SqlBatch().add(part("UPDATE sql_batch_probe SET v = v + 1 WHERE tag = ?", seen, this.tag))
			// (tag, 11) exists once the first statement ran
			.add(part("INSERT INTO sql_batch_probe (tag, v) VALUES (?, 11)", seen, this.tag))
			.add(part("INSERT INTO sql_batch_probe (tag, v) VALUES (?, 500)", seen, this.tag));

		batch.run(this.db).as(this.transactional::transactional).as(StepVerifier::create)
			.expectError(DuplicateKeyException.class)
			.verify(TIMEOUT);

		assertThat(seen).isEmpty();
		assertThat(values()).containsExactly(10L, 20L);
	}

	@Test
	void aPartHoldsOneStatement() {
		assertThatIllegalArgumentException().isThrownBy(() -> SqlBatch.Part.unchecked("DELETE FROM sql_batch_probe; SELECT 1"));
		new SqlBatch().run(this.db).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
	}

	private static SqlBatch.Part part(String sql, List<Long> seen, Object... args) {
		return new SqlBatch.Part(sql, List.of(args), (rows) -> Mono.fromRunnable(() -> seen.add(rows)));
	}

	private List<Long> values() {
		return this.db.sql("SELECT v FROM sql_batch_probe WHERE tag = ? ORDER BY v").bind(0, this.tag)
			.map((row) -> row.get("v", Long.class)).all().collectList().block(TIMEOUT);
	}

}
