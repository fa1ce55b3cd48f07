package com.example.flashsale.support.db;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.db.GroupCommit.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GroupCommit} on the real database: concurrent members share transactions and each gets its own
 * result; a group a check stops is {@link GroupCommit.RolledBack} with nothing written, a fault
 * {@link GroupCommit.NotCommitted}; a caller inside a transaction of its own is told to run alone.
 */
class GroupCommitTest extends IntegrationTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Autowired
	DatabaseClient db;

	@Autowired
	TransactionalOperator transactional;

	private final Map<Outcome, AtomicInteger> groups = new ConcurrentHashMap<>();

	private GroupCommit<Long, Long> inserts(String tag, int maxMembers) {
		this.db.sql("CREATE TABLE IF NOT EXISTS group_commit_probe (id BIGINT PRIMARY KEY AUTO_INCREMENT, tag VARCHAR(64), "
				+ "v BIGINT)").then().block(TIMEOUT);
		// each member's value inserted, then read back in the same transaction: a negative one is a failed check
		return new GroupCommit<>("probes", (members) -> Flux.fromIterable(members)
			.concatMap((v) -> (v < 0) ? Mono.error(new IllegalStateException("check of " + v))
					: this.db.sql("INSERT INTO group_commit_probe (tag, v) VALUES (?, ?)").bind(0, tag).bind(1, v).then().thenReturn(v * 10))
			.collectList(), this.transactional, maxMembers, 2, TIMEOUT,
				(members, outcome, nanos) -> this.groups.computeIfAbsent(outcome, (o) -> new AtomicInteger()).incrementAndGet());
	}

	private long rows(String tag) {
		return this.db.sql("SELECT COUNT(*) AS n FROM group_commit_probe WHERE tag = ?").bind(0, tag)
			.map((row) -> row.get("n", Long.class)).one().block(TIMEOUT);
	}

	@Test
	void concurrentMembersShareTransactionsAndEachGetsItsOwnResult() {
		String tag = UUID.randomUUID().toString();
		GroupCommit<Long, Long> inserts = inserts(tag, 32);
		List<Long> results = Flux.range(1, 500).flatMap((i) -> inserts.commit((long) i), 256).collectList().block(TIMEOUT);

		assertThat(results).hasSize(500).doesNotHaveDuplicates().allMatch((r) -> r % 10 == 0 && r >= 10 && r <= 5000);
		assertThat(rows(tag)).isEqualTo(500);
		// fewer transactions than members: groups formed while the two lanes were busy
		assertThat(this.groups.get(Outcome.COMMITTED).get()).isBetween(16, 499);
	}

	@Test
	void aFailedCheckRollsTheWholeGroupBackAndAFaultFailsIt() {
		String tag = UUID.randomUUID().toString();
		GroupCommit<Long, Long> inserts = inserts(tag, 32);
		inserts.commit(-1L).as(StepVerifier::create).expectError(GroupCommit.RolledBack.class).verify(TIMEOUT);
		assertThat(rows(tag)).isZero();
		assertThat(this.groups.get(Outcome.ROLLED_BACK).get()).isEqualTo(1);

		GroupCommit<Long, Long> failing = new GroupCommit<>("faults",
				(members) -> Mono.error(new DataAccessResourceFailureException("connection lost")), this.transactional, 32, 1,
				TIMEOUT, (members, outcome, nanos) -> this.groups.computeIfAbsent(outcome, (o) -> new AtomicInteger()).incrementAndGet());
		failing.commit(1L).as(StepVerifier::create).expectError(GroupCommit.NotCommitted.class).verify(TIMEOUT);
		assertThat(this.groups.get(Outcome.NOT_COMMITTED).get()).isEqualTo(1);
	}

	@Test
	void aCallerInATransactionOfItsOwnRunsAlone() {
		GroupCommit<Long, Long> inserts = inserts(UUID.randomUUID().toString(), 32);
		inserts.usable().as(StepVerifier::create).expectNext(true).verifyComplete();
		inserts.usable().as(this.transactional::transactional).as(StepVerifier::create).expectNext(false).verifyComplete();
		inserts(UUID.randomUUID().toString(), 1).usable().as(StepVerifier::create).expectNext(false).verifyComplete();
	}

}
