package com.example.flashsale.outbox;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.swagger.v3.oas.annotations.media.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.support.db.SqlBatch;

import static com.example.flashsale.support.db.UtcColumns.instant;
import static com.example.flashsale.support.db.UtcColumns.utc;

/** SQL of the outbox table {@code order_events} over R2DBC; transactions are the callers'. */
@Repository
class OutboxRepository {

	private final DatabaseClient db;

	OutboxRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts a PENDING event, due now, as one statement of a batch in the caller's transaction. */
	SqlBatch.Part insert(long orderId, String eventType, String payload, Instant now) {
		LocalDateTime at = utc(now);
		return SqlBatch.Part.unchecked("INSERT INTO order_events (order_id, event_type, payload, status, attempts, "
				+ "next_attempt_at, created_at) VALUES (?, ?, ?, '" + OutboxStatus.PENDING + "', 0, ?, ?)", orderId, eventType,
				payload, at, at);
	}

	/**
	 * An outbox event claimed for delivery.
	 * @param attempts deliveries so far, this one included
	 * @param payload the stored JSON
	 */
	record ClaimedEvent(long id, long orderId, String eventType, String payload, int attempts, Instant createdAt) {
	}

	/**
	 * Claims up to {@code limit} due PENDING events, oldest due first: {@code FOR UPDATE SKIP LOCKED} (rows
	 * another instance is claiming are passed over, not waited for), then each gets one more attempt and is
	 * not due again before {@code leaseUntil}. Run it in its own short transaction: the claim holds no lock
	 * while the events are sent.
	 */
	Mono<List<ClaimedEvent>> claimDue(Instant now, int limit, Instant leaseUntil) {
		return this.db.sql("SELECT id, order_id, event_type, payload, attempts, created_at FROM order_events "
				+ "WHERE status = '" + OutboxStatus.PENDING + "' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ? "
				+ "FOR UPDATE SKIP LOCKED")
			.bind(0, utc(now))
			.bind(1, limit)
			.map((row) -> new ClaimedEvent(row.get("id", Long.class), row.get("order_id", Long.class),
					row.get("event_type", String.class), row.get("payload", String.class),
					row.get("attempts", Integer.class) + 1, instant(row, "created_at")))
			.all()
			.collectList()
			.flatMap((events) -> events.isEmpty() ? Mono.just(events)
					: this.db.sql("UPDATE order_events SET attempts = attempts + 1, next_attempt_at = :until WHERE id IN (:ids)")
						.bind("until", utc(leaseUntil))
						.bind("ids", events.stream().map(ClaimedEvent::id).toList())
						.fetch()
						.rowsUpdated()
						.thenReturn(events));
	}

	/**
	 * Marks delivered events SENT in one statement (those still PENDING).
	 * @return how many were marked
	 */
	Mono<Long> markSent(List<Long> ids, Instant now) {
		return this.db.sql("UPDATE order_events SET status = '" + OutboxStatus.SENT + "', sent_at = :now, "
				+ "last_error = NULL WHERE id IN (:ids) AND status = '" + OutboxStatus.PENDING + "'")
			.bind("now", utc(now))
			.bind("ids", ids)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Makes a failed event due again at {@code next}, keeping its attempts ({@code attemptsBack} gives
	 * back attempts that never reached the data platform).
	 */
	Mono<Void> reschedule(long id, Instant next, int attemptsBack, String error) {
		return this.db.sql("UPDATE order_events SET next_attempt_at = ?, attempts = GREATEST(attempts - ?, 0), "
				+ "last_error = ? WHERE id = ? AND status = '" + OutboxStatus.PENDING + "'")
			.bind(0, utc(next))
			.bind(1, attemptsBack)
			.bind(2, truncate(error))
			.bind(3, id)
			.fetch()
			.rowsUpdated()
			.then();
	}

	/** Gives up on an event: FAILED, for operators; false when it was not PENDING any more. */
	Mono<Boolean> markFailed(long id, String error) {
		return this.db.sql("UPDATE order_events SET status = '" + OutboxStatus.FAILED + "', last_error = ? WHERE id = ? "
				+ "AND status = '" + OutboxStatus.PENDING + "'")
			.bind(0, truncate(error))
			.bind(1, id)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	/** Puts a FAILED event back in the queue, due now, with its attempts reset; false when it was not FAILED. */
	Mono<Boolean> requeue(long id, Instant now) {
		return this.db.sql("UPDATE order_events SET status = '" + OutboxStatus.PENDING + "', attempts = 0, "
				+ "next_attempt_at = ? WHERE id = ? AND status = '" + OutboxStatus.FAILED + "'")
			.bind(0, utc(now))
			.bind(1, id)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	/**
	 * An outbox event as operators see it.
	 * @param lastError why the last delivery failed, null if none did
	 */
	record OutboxEvent(long id, long orderId, String eventType, OutboxStatus status, int attempts, Instant nextAttemptAt,
			@Schema(nullable = true) Instant sentAt, @Schema(nullable = true) String lastError, Instant createdAt) {
	}

	/** Up to {@code limit} events of {@code status} with an id below {@code beforeId}, newest first. */
	Flux<OutboxEvent> findByStatus(OutboxStatus status, long beforeId, int limit) {
		return this.db.sql("SELECT id, order_id, event_type, status, attempts, next_attempt_at, sent_at, last_error, "
				+ "created_at FROM order_events WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?")
			.bind(0, status.name())
			.bind(1, beforeId)
			.bind(2, limit)
			.map((row) -> new OutboxEvent(row.get("id", Long.class), row.get("order_id", Long.class),
					row.get("event_type", String.class), OutboxStatus.valueOf(row.get("status", String.class)),
					row.get("attempts", Integer.class), instant(row, "next_attempt_at"), instant(row, "sent_at"),
					row.get("last_error", String.class), instant(row, "created_at")))
			.all();
	}

	/** When the oldest PENDING event was recorded; empty when none is PENDING. */
	Mono<Instant> oldestPending() {
		return this.db.sql("SELECT MIN(created_at) AS oldest FROM order_events WHERE status = '" + OutboxStatus.PENDING + "'")
			.map((row) -> Optional.ofNullable(instant(row, "oldest")))
			.one()
			.flatMap(Mono::justOrEmpty);
	}

	/** How many events have each status. */
	Mono<Map<String, Long>> countByStatus() {
		return this.db.sql("SELECT status, COUNT(*) AS n FROM order_events GROUP BY status")
			.map((row) -> Map.entry(row.get("status", String.class), row.get("n", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	private static String truncate(String error) {
		return (error == null || error.length() <= 500) ? error : error.substring(0, 500);
	}

}
