package com.example.flashsale.support.db;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DbErrors#deadlockRetry()}: two real transactions that lock two rows in opposite order both commit,
 * the deadlock's victim on a later attempt; other failures are not retried; a victim that keeps losing gets
 * its own failure back.
 */
class DbErrorsTest extends IntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	DatabaseClient db;

	@Autowired
	TransactionalOperator transactional;

	private String tag;

	@BeforeEach
	void probeRows() {
		this.db.sql("CREATE TABLE IF NOT EXISTS deadlock_probe (tag VARCHAR(64), name CHAR(1), n INT, "
				+ "PRIMARY KEY (tag, name))").then().block(TIMEOUT);
		this.tag = UUID.randomUUID().toString();
		this.db.sql("INSERT INTO deadlock_probe (tag, name, n) VALUES (?, 'a', 0), (?, 'b', 0)")
			.bind(0, this.tag)
			.bind(1, this.tag)
			.then()
			.block(TIMEOUT);
	}

	@Test
	void twoTransactionsThatDeadlockBothCommitTheVictimOnALaterAttempt() {
		AtomicInteger attempts = new AtomicInteger();
		Sinks.Empty<Void> aLocked = Sinks.empty();
		Sinks.Empty<Void> bLocked = Sinks.empty();
		// each takes its first row, waits until the other holds its own, then asks for the other's row
		Mono<Void> aThenB = crossing("a", "b", aLocked, bLocked, attempts);
		Mono<Void> bThenA = crossing("b", "a", bLocked, aLocked, attempts);

		Mono.when(aThenB, bThenA).as(StepVerifier::create).expectComplete().verify(TIMEOUT);

		assertThat(attempts).as("the victim ran again").hasValueGreaterThanOrEqualTo(3);
		assertThat(this.db.sql("SELECT n FROM deadlock_probe WHERE tag = ? ORDER BY name").bind(0, this.tag)
			.map((row) -> row.get("n", Integer.class)).all().collectList().block(TIMEOUT)).containsExactly(2, 2);
	}

	@Test
	void anotherFailureIsNotRetried() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Void> failing = failingEachTime(calls,
				() -> new R2dbcNonTransientResourceException("no parent", "23000", DbErrors.MISSING_PARENT_ROW));

		failing.retryWhen(DbErrors.deadlockRetry()).as(StepVerifier::create)
			.expectError(R2dbcNonTransientResourceException.class)
			.verify(TIMEOUT);

		assertThat(calls).hasValue(1);
	}

	@Test
	void aVictimThatKeepsLosingGetsItsOwnFailureBack() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Void> alwaysLoses = failingEachTime(calls,
				() -> new R2dbcTransientResourceException("Deadlock found", "40001", DbErrors.DEADLOCK));

		// the deadlock itself, not Reactor's RetryExhaustedException wrapping it
		alwaysLoses.retryWhen(DbErrors.deadlockRetry()).as(StepVerifier::create)
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(R2dbcTransientResourceException.class)
				.satisfies((deadlock) -> assertThat(DbErrors.isDeadlock(deadlock)).isTrue()))
			.verify(TIMEOUT);

		assertThat(calls).hasValue(1 + DbErrors.DEADLOCK_RETRIES);
	}

	/** A statement that fails with a new {@code error} each time it is subscribed, counting the subscriptions. */
	private static Mono<Void> failingEachTime(AtomicInteger calls, Supplier<Throwable> error) {
		return Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(error.get());
		});
	}

	private Mono<Void> crossing(String first, String second, Sinks.Empty<Void> mine, Sinks.Empty<Void> theirs,
			AtomicInteger attempts) {
		return Mono.defer(() -> {
			attempts.incrementAndGet();
			return increment(first).then(Mono.fromRunnable(mine::tryEmitEmpty))
				.then(theirs.asMono())
				.then(increment(second));
		}).as(this.transactional::transactional).retryWhen(DbErrors.deadlockRetry());
	}

	private Mono<Void> increment(String name) {
		return this.db.sql("UPDATE deadlock_probe SET n = n + 1 WHERE tag = ? AND name = ?")
			.bind(0, this.tag)
			.bind(1, name)
			.fetch()
			.rowsUpdated()
			.doOnNext((rows) -> assertThat(rows).isEqualTo(1L))
			.then();
	}

}
