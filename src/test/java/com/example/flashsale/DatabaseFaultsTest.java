package com.example.flashsale;

import java.time.Duration;
import java.util.UUID;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DatabaseFaults} against the real database, through the same {@link DatabaseClient} and
 * {@link TransactionalOperator} the service uses: a failed statement never reaches the database, a
 * lost commit reply leaves the transaction committed or not as armed, and every fault fires once.
 */
class DatabaseFaultsTest extends IntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String INSERT = "INSERT INTO fault_probe";

	@Autowired
	DatabaseFaults faults;

	@Autowired
	DatabaseClient db;

	@Autowired
	TransactionalOperator transactional;

	@BeforeEach
	void probeTable() {
		this.db.sql("CREATE TABLE IF NOT EXISTS fault_probe (id BIGINT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(32))")
			.then()
			.as(StepVerifier::create)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	@Test
	void failStatementFailsTheNextMatchingStatementOnceWithoutReachingTheDatabase() {
		String value = uniqueValue();
		this.faults.failStatement("insert into FAULT_PROBE");

		// a statement that does not match runs while the fault is armed
		count(value).as(StepVerifier::create).expectNext(0L).expectComplete().verify(TIMEOUT);
		assertThat(this.faults.fired()).isZero();

		insert(value).as(StepVerifier::create)
			.expectErrorSatisfies((ex) -> assertThat(injected(ex)).isInstanceOf(R2dbcNonTransientResourceException.class))
			.verify(TIMEOUT);
		assertThat(this.faults.fired()).isOne();
		count(value).as(StepVerifier::create).expectNext(0L).expectComplete().verify(TIMEOUT);

		// fired once: the same statement now reaches the database
		insert(value).as(StepVerifier::create).expectNext(1L).expectComplete().verify(TIMEOUT);
		count(value).as(StepVerifier::create).expectNext(1L).expectComplete().verify(TIMEOUT);
		assertThat(this.faults.fired()).isOne();
	}

	@Test
	void lostCommitReplyOfACommittedTransactionLeavesTheRowAndSignalsAnError() {
		String value = uniqueValue();
		this.faults.loseCommitReply(INSERT, true);

		// a transaction without a matching statement commits normally while the fault is armed
		count(value).as(this.transactional::transactional)
			.as(StepVerifier::create)
			.expectNext(0L)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(this.faults.fired()).isZero();

		insert(value).as(this.transactional::transactional)
			.as(StepVerifier::create)
			.expectErrorSatisfies(DatabaseFaultsTest::assertCommitReplyLost)
			.verify(TIMEOUT);
		assertThat(this.faults.fired()).isOne();
		count(value).as(StepVerifier::create).expectNext(1L).expectComplete().verify(TIMEOUT);

		// fired once: the next matching transaction commits and says so
		String next = uniqueValue();
		insert(next).as(this.transactional::transactional)
			.as(StepVerifier::create)
			.expectNext(1L)
			.expectComplete()
			.verify(TIMEOUT);
		count(next).as(StepVerifier::create).expectNext(1L).expectComplete().verify(TIMEOUT);
		assertThat(this.faults.fired()).isOne();
	}

	@Test
	void lostCommitReplyOfARolledBackTransactionLeavesNothingAndSignalsAnError() {
		String value = uniqueValue();
		this.faults.loseCommitReply(INSERT, false);

		insert(value).as(this.transactional::transactional)
			.as(StepVerifier::create)
			.expectErrorSatisfies(DatabaseFaultsTest::assertCommitReplyLost)
			.verify(TIMEOUT);
		assertThat(this.faults.fired()).isOne();
		count(value).as(StepVerifier::create).expectNext(0L).expectComplete().verify(TIMEOUT);
	}

	private Mono<Long> insert(String value) {
		return this.db.sql(INSERT + " (v) VALUES (:v)").bind("v", value).fetch().rowsUpdated();
	}

	private Mono<Long> count(String value) {
		return this.db.sql("SELECT COUNT(*) AS n FROM fault_probe WHERE v = :v")
			.bind("v", value)
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	/** 32 hex digits, unique per test run. */
	private static String uniqueValue() {
		return UUID.randomUUID().toString().replace("-", "");
	}

	private static void assertCommitReplyLost(Throwable ex) {
		assertThat(injected(ex)).isInstanceOf(R2dbcTransientResourceException.class)
			.hasMessage("injected fault: commit reply lost");
	}

	/** The injected exception in {@code ex}'s cause chain (Spring translates R2DBC exceptions). */
	private static R2dbcException injected(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof R2dbcException r2dbc && String.valueOf(r2dbc.getMessage()).startsWith("injected fault: ")) {
				return r2dbc;
			}
		}
		throw new AssertionError("no injected fault in the cause chain", ex);
	}

}
