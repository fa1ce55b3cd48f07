package com.example.flashsale.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.db.SqlBatch;

/**
 * The transactional outbox as other features use it (docs/flows.md "After commit: the outbox relay"):
 * a feature appends an event in its own transaction, and learns of its delivery through a
 * {@link DeliveryListener} bean. The outbox knows nothing of the features that use it.
 */
@Component
public class Outbox {

	private final OutboxRepository repository;

	private final Clock clock;

	Outbox(OutboxRepository repository, Clock clock) {
		this.repository = repository;
		this.clock = clock;
	}

	/**
	 * The statement that appends an event for the data platform, {@code PENDING} and due now, for a batch in
	 * the caller's transaction: the event exists exactly when the caller's work commits.
	 * @param orderId the order the event is about
	 * @param eventType the event's type, e.g. {@code ORDER_PAID}
	 * @param payload the event's JSON
	 */
	public SqlBatch.Part append(long orderId, String eventType, String payload, Instant now) {
		return this.repository.insert(orderId, eventType, payload, now);
	}

	/**
	 * The outbox as operators watch it: events per status and how long the oldest undelivered one has
	 * waited.
	 */
	public Mono<Backlog> backlog() {
		Instant now = Instant.now(this.clock);
		return this.repository.countByStatus()
			.zipWith(this.repository.oldestPending().map((oldest) -> Math.max(0, Duration.between(oldest, now).toMillis()))
				.defaultIfEmpty(0L))
			.map((counts) -> new Backlog(counts.getT1().getOrDefault(OutboxStatus.PENDING.name(), 0L),
					counts.getT1().getOrDefault(OutboxStatus.SENT.name(), 0L),
					counts.getT1().getOrDefault(OutboxStatus.FAILED.name(), 0L), counts.getT2()));
	}

	/**
	 * Outbox events by status.
	 * @param lagMs how long the oldest PENDING event has waited, ms (0 when none waits)
	 */
	public record Backlog(long pending, long sent, long failed, long lagMs) {
	}

	/**
	 * Told of each event's final delivery outcome, after it is recorded; called on the relay's threads,
	 * must not block and must not fail.
	 */
	public interface DeliveryListener {

		/** The data platform accepted the event of {@code orderId}. */
		void delivered(long orderId, Instant at);

		/** The relay gave up on the event of {@code orderId} (FAILED, for operators). */
		void givenUp(long orderId, Instant at);

	}

}
