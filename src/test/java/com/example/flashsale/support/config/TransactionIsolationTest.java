package com.example.flashsale.support.config;

import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The background jobs' transactions really run at READ COMMITTED (so they take no gap locks against the
 * order path's inserts) and the others at REPEATABLE READ, told apart by what each sees: a row another
 * transaction commits between two reads of one transaction is seen by the second read only at READ
 * COMMITTED. (MariaDB's {@code information_schema.innodb_trx.trx_isolation_level} is not a reliable
 * witness: it keeps showing a connection's earlier level.)
 */
class TransactionIsolationTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	TransactionalOperator transactional;

	@Autowired
	@Qualifier(TransactionConfig.READ_COMMITTED)
	TransactionalOperator readCommitted;

	/** Counts users named {@code name} twice in one transaction, one being created through the API between. */
	private List<Long> countsAroundACommit(TransactionalOperator operator, String name) {
		Mono<Long> count = Mono.defer(() -> this.db.sql("SELECT COUNT(*) AS n FROM users WHERE name = ?").bind(0, name)
			.map((row) -> row.get("n", Long.class)).one());
		Mono<Integer> createdElsewhere = status(parallelClient().post().uri("/api/admin/users")
			.headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"" + name + "\"}"));
		return count.flatMap((before) -> createdElsewhere.then(count).map((after) -> List.of(before, after)))
			.as(operator::transactional)
			.block();
	}

	@Test
	void jobsSeeOtherCommitsAndTheRestReadOneSnapshot() {
		assertThat(countsAroundACommit(this.readCommitted, "iso-rc-" + System.nanoTime())).containsExactly(0L, 1L);
		for (int i = 0; i < 5; i++) {
			// also on connections a READ COMMITTED transaction used before
			assertThat(countsAroundACommit(this.transactional, "iso-rr-" + System.nanoTime())).containsExactly(0L, 0L);
			assertThat(countsAroundACommit(this.readCommitted, "iso-rc-" + System.nanoTime())).containsExactly(0L, 1L);
		}
	}

}
