package com.example.flashsale.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.config.TransactionConfig;
import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;
import com.example.flashsale.support.reactor.RunToCompletion;

import com.example.flashsale.outbox.DataPlatformClient.DataPlatformEvent;
import com.example.flashsale.outbox.OutboxRepository.ClaimedEvent;

/**
 * Delivers the transactional outbox to the data platform, off the request path (docs/flows.md "After
 * commit: the outbox relay"). The order committed its {@code order_events} row with itself, so nothing the
 * data platform does can fail, slow or block an order. Every {@code poll-interval} (at once again after a
 * full batch):
 * <ol>
 * <li>claims due PENDING events in a short transaction ({@code FOR UPDATE SKIP LOCKED}; each claim counts
 * an attempt and leases the event for {@code lease}), so several instances never send one event at the
 * same time, and an instance that dies mid-batch leaves its events due again when the lease ends: every
 * event is delivered at least once, and its event id makes a duplicate harmless to the receiver;</li>
 * <li>sends each ({@link DataPlatformClient}: timeout, quick retries, circuit breaker), and stops
 * sending at four fifths of the lease: what is still unsent or in flight then is cancelled and due again
 * when the lease ends, so no event is ever sent by two instances at once;</li>
 * <li>delivered: SENT with {@code sent_at}, and the {@link Outbox.DeliveryListener}s are told;
 * failed: due again after an exponential backoff with jitter ({@code next_attempt_at}, {@code last_error});
 * after {@code max-attempts}: FAILED, counted in {@code outbox.events.failed}, listed by
 * {@code GET /api/admin/outbox/events?status=FAILED} and put back by its {@code retry}.</li>
 * </ol>
 * While the circuit breaker is open nothing is claimed; an event refused by it gets its attempt back.
 */
@Component
class OutboxRelay extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(OutboxRelay.class);

	/** Most delivered events marked SENT by one statement. */
	private static final int MARK_BATCH = 32;

	/** Longest a delivered event waits to be marked SENT. */
	private static final Duration MARK_DELAY = Duration.ofMillis(200);

	private final OutboxRepository repository;

	private final DataPlatformClient client;

	private final ObjectProvider<Outbox.DeliveryListener> listeners;

	private final TransactionalOperator transactional;

	private final OutboxProperties.Relay properties;

	private final IntervalFunction backoff;

	private final Clock clock;

	private final Counter sent;

	private final Counter failed;

	private final Counter retried;

	OutboxRelay(OutboxRepository repository, DataPlatformClient client, ObjectProvider<Outbox.DeliveryListener> listeners,
			@Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional, OutboxProperties properties, Clock clock, MeterRegistry meters,
			SingleRunJobs jobs) {
		super(jobs);
		this.repository = repository;
		this.client = client;
		this.listeners = listeners;
		this.transactional = transactional;
		this.properties = properties.relay();
		this.backoff = IntervalFunction.ofExponentialRandomBackoff(this.properties.backoff(), 2.0, 0.5,
				this.properties.maxBackoff());
		this.clock = clock;
		this.sent = Counter.builder("outbox.events.sent").description("Outbox events the data platform accepted").register(meters);
		this.failed = Counter.builder("outbox.events.failed")
			.description("Outbox events given up on after max-attempts deliveries (FAILED, for operators)")
			.register(meters);
		this.retried = Counter.builder("outbox.events.retried")
			.description("Failed deliveries scheduled for another attempt")
			.register(meters);
	}

	/**
	 * One pass: claims up to {@code batch} due events and delivers them.
	 * @return how many events were claimed (a full batch means more may be due)
	 */
	Mono<Integer> relayOnce() {
		if (this.client.isOpen()) {
			return Mono.just(0);
		}
		Instant now = this.clock.instant();
		Duration lease = this.properties.lease();
		// stop sending well before the lease ends, so no other instance can claim an event while it is sent
		Duration sendBudget = lease.minus(lease.dividedBy(5));
		// the claim runs to its end even if the relay is stopped meanwhile: stopping never cuts a transaction
		// short (its events stay leased and are due again after the lease)
		return RunToCompletion.of(() -> this.repository.claimDue(now, this.properties.batch(), now.plus(lease))
				.as(this.transactional::transactional))
			.flatMap((events) -> Flux.fromIterable(events)
				.flatMap(this::deliver, this.properties.concurrency())
				// delivered events are marked SENT a few dozen at a time, as they come
				.bufferTimeout(MARK_BATCH, MARK_DELAY, true)
				.concatMap(this::markSent)
				.then()
				.timeout(sendBudget, Mono.fromRunnable(() -> logger.warn("Outbox relay: a batch of " + events.size()
						+ " events outlasted " + sendBudget + "; the unsent ones are due again when their lease ends")))
				.thenReturn(events.size()));
	}

	/** Sends one event. */
	private Mono<ClaimedEvent> deliver(ClaimedEvent event) {
		DataPlatformEvent body = new DataPlatformEvent(Long.toString(event.id()), event.eventType(), event.orderId(),
				event.createdAt(), event.payload());
		return this.client.send(body)
			.thenReturn(event)
			.onErrorResume((ex) -> failed(event, ex).onErrorResume((bookkeeping) -> {
				// the lease makes the event due again: nothing is lost if even the bookkeeping failed
				logger.warn("Could not record the failed delivery of outbox event " + event.id() + ": " + bookkeeping);
				return Mono.empty();
			}).then(Mono.empty()));
	}

	/** Marks delivered events (a non-empty buffer) SENT in one statement and tells their orders' status streams. */
	private Mono<Void> markSent(List<ClaimedEvent> delivered) {
		Instant now = this.clock.instant();
		return this.repository.markSent(delivered.stream().map(ClaimedEvent::id).toList(), now)
			.doOnSuccess((marked) -> {
				this.sent.increment(delivered.size());
				delivered.forEach((event) -> this.listeners.forEach((listener) -> listener.delivered(event.orderId(), now)));
			})
			.onErrorResume((ex) -> {
				// they were delivered: when their lease ends they are sent again, and the event id makes that harmless
				logger.warn("Could not mark " + delivered.size() + " delivered outbox events SENT: " + ex);
				return Mono.empty();
			})
			.then();
	}

	private Mono<Void> failed(ClaimedEvent event, Throwable ex) {
		Instant now = this.clock.instant();
		if (ex instanceof CallNotPermittedException) {
			return this.repository.reschedule(event.id(), now.plus(this.properties.backoff()), 1, "circuit breaker open");
		}
		String error = String.valueOf(ex);
		if (event.attempts() >= this.properties.maxAttempts()) {
			return this.repository.markFailed(event.id(), error).doOnNext((marked) -> {
				if (marked) {
					this.failed.increment();
					logger.error("Outbox event " + event.id() + " of order " + event.orderId() + " FAILED after "
							+ event.attempts() + " deliveries: " + error);
					this.listeners.forEach((listener) -> listener.givenUp(event.orderId(), now));
				}
			}).then();
		}
		this.retried.increment();
		Duration wait = Duration.ofMillis(this.backoff.apply(event.attempts()));
		return this.repository.reschedule(event.id(), now.plus(wait), 0, error);
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("outbox-relay", this.properties.pollInterval(), this.properties.pollInterval())
			.enabledIf(this.properties.enabled());
	}

	/** Passes until one claims less than a full batch (a full batch means more may be due). */
	@Override
	protected Mono<Integer> runOnce() {
		return relayOnce().expand((claimed) -> (claimed == this.properties.batch()) ? relayOnce() : Mono.empty())
			.reduce(0, Integer::sum);
	}

}
