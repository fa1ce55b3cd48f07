package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * The durable memory of refusals given before any order existed (docs/redis.md "Idempotency records"):
 * 404 PRODUCT_NOT_FOUND, 409 PRODUCT_NOT_AVAILABLE / INSUFFICIENT_STOCK, 400 INVALID_COUPON. The answer is
 * written to {@code order_refusals} before it leaves, so a replay of the key answers the same bytes after
 * Redis lost its record, and an order can never be placed with the key afterwards. Rows older than
 * {@code app.orders.idempotency-ttl} (24 h) are purged every {@code app.orders.refusal-purge-interval}
 * (1 h) on one instance at a time.
 *
 * <p>Refusals are written in groups: a sold-out product's crowd is refused thousands of times a second,
 * and one commit per refusal cost the sold-out path a third of its speed. Each waiting refusal joins the
 * next multi-row {@code INSERT IGNORE} (at most {@value #MAX_BATCH} rows, {@value #LANES} statements in
 * flight); alone, a refusal is written at once, with no timer to wait for. Every answer still leaves only
 * after its row committed.
 */
@Component
class OrderRefusals extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(OrderRefusals.class);

	private static final int PURGE_BATCH = 1_000;

	private static final int MAX_BATCH = 256;

	private static final int LANES = 2;

	private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger activeLanes = new AtomicInteger();

	private final OrderRepository orders;

	private final OrderProperties properties;

	private final Clock clock;

	OrderRefusals(OrderRepository orders, OrderProperties properties, Clock clock, SingleRunJobs jobs) {
		super(jobs);
		this.orders = orders;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Records {@code refusal} as the answer of {@code userId}'s {@code key} for a request hashed
	 * {@code requestHash}, unless the key has a refusal or an order already.
	 * @return the answer to send: {@code refusal}, or the one recorded first (same bytes on every replay);
	 * empty when the key has an order (its answer is the order's); 422 IDEMPOTENCY_KEY_REUSED when the
	 * recorded refusal was for another body
	 */
	Mono<OrderOutcome> remember(long userId, String key, String requestHash, OrderOutcome refusal) {
		OrderRepository.NewRefusal row = new OrderRepository.NewRefusal(userId, key, requestHash, refusal.status(),
				new String(refusal.body(), StandardCharsets.UTF_8));
		return Mono.<Boolean>create((sink) -> {
			this.queue.add(new Waiter(row, sink));
			drain();
		})
			.flatMap((allRecorded) -> allRecorded ? Mono.just(refusal)
					// some key of the group had a refusal or an order already: the row of this key decides (this one,
					// the first, or none when the key has an order)
					: find(userId, key, requestHash));
	}

	private void drain() {
		while (!this.queue.isEmpty()) {
			int active = this.activeLanes.get();
			if (active >= LANES) {
				return;
			}
			if (this.activeLanes.compareAndSet(active, active + 1)) {
				runLane();
			}
		}
	}

	private void runLane() {
		List<Waiter> batch = new ArrayList<>();
		Waiter waiter;
		while (batch.size() < MAX_BATCH && (waiter = this.queue.poll()) != null) {
			batch.add(waiter);
		}
		if (batch.isEmpty()) {
			this.activeLanes.decrementAndGet();
			// re-check: a refusal queued between the poll and the decrement must not wait for the next arrival
			drain();
			return;
		}
		this.orders.insertRefusals(batch.stream().map(Waiter::row).toList(), this.clock.instant())
			.subscribe((recorded) -> batch.forEach((w) -> w.sink().success(recorded == batch.size())), (error) -> {
				batch.forEach((w) -> w.sink().error(error));
				runLane();
			}, this::runLane);
	}

	/**
	 * The refusal recorded for {@code userId}'s {@code key}.
	 * @return the recorded answer; empty when none; 422 IDEMPOTENCY_KEY_REUSED when it was for another body
	 */
	Mono<OrderOutcome> find(long userId, String key, String requestHash) {
		return this.orders.findRefusal(userId, key)
			.flatMap((row) -> row.requestHash().equals(requestHash)
					? Mono.just(new OrderOutcome(row.responseStatus(), row.responseBody().getBytes(StandardCharsets.UTF_8)))
					: Mono.error(OrderAnswers.reused()));
	}

	/**
	 * Deletes the refusals older than the idempotency TTL, in batches.
	 * @return how many were deleted
	 */
	Mono<Long> purge() {
		return this.orders.purgeRefusals(this.clock.instant().minus(this.properties.idempotencyTtl()), PURGE_BATCH)
			.expand((deleted) -> (deleted == PURGE_BATCH)
					? this.orders.purgeRefusals(this.clock.instant().minus(this.properties.idempotencyTtl()), PURGE_BATCH)
					: Mono.empty())
			.reduce(0L, Long::sum)
			.doOnNext((deleted) -> {
				if (deleted > 0) {
					logger.info("Purged " + deleted + " order refusals older than " + this.properties.idempotencyTtl());
				}
			});
	}

	@Override
	protected Schedule schedule() {
		Duration interval = this.properties.refusalPurgeInterval();
		return Schedule.oneInstance("order-refusal-purge", interval, interval, interval);
	}

	@Override
	protected Mono<Long> runOnce() {
		return purge();
	}

	private record Waiter(OrderRepository.NewRefusal row, MonoSink<Boolean> sink) {
	}

}
