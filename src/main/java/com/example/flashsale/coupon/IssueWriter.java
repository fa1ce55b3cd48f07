package com.example.flashsale.coupon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.retry.Retry;

import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Group commit of issued coupons to MySQL, keeping the database off the per-request path: every request
 * that won in Redis queues its {@link PendingIssue}; up to {@code lanes} workers each take everything
 * queued (at most {@code maxBatch}), commit it in one transaction (one multi-row {@code INSERT IGNORE}
 * per coupon, {@code issued_count} advanced by the rows really inserted), then complete every waiting
 * request. Under a crowd a batch holds all requests that arrived during the previous commit; alone, a
 * request is committed at once, with no timer to wait for.
 *
 * <p>Idempotent by the unique (user, coupon) key, so {@link IssueLogRecovery} may replay an issue that
 * is also in flight here. A queued issue is committed even if its client hangs up. When the commit
 * fails after retries, waiters get 503 and the issues stay in the Redis log for recovery.
 */
@Component
class IssueWriter {

	private static final Log logger = LogFactory.getLog(IssueWriter.class);

	private final CouponRepository repository;

	private final CouponIssueState state;

	private final TransactionalOperator transactional;

	private final int maxBatch;

	private final int lanes;

	private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger activeLanes = new AtomicInteger();

	IssueWriter(CouponRepository repository, CouponIssueState state, TransactionalOperator transactional,
			CouponProperties properties) {
		this.repository = repository;
		this.state = state;
		this.transactional = transactional;
		this.maxBatch = properties.writer().maxBatch();
		this.lanes = properties.writer().lanes();
	}

	/**
	 * Commits {@code issue} with the next batch.
	 * @return the durable user coupon; a {@link ProblemException} 503 if the commit failed
	 */
	Mono<IssuedCoupon> commit(PendingIssue issue) {
		return Mono.create((sink) -> {
			this.queue.add(new Waiter(issue, sink));
			drain();
		});
	}

	private void drain() {
		while (!this.queue.isEmpty()) {
			int active = this.activeLanes.get();
			if (active >= this.lanes) {
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
		while (batch.size() < this.maxBatch && (waiter = this.queue.poll()) != null) {
			batch.add(waiter);
		}
		if (batch.isEmpty()) {
			this.activeLanes.decrementAndGet();
			// re-check: an issue queued between the poll and the decrement must not wait for the next arrival
			drain();
			return;
		}
		writeBatch(batch).subscribe((committed) -> complete(batch, committed), (error) -> {
			fail(batch, error);
			runLane();
		}, this::runLane);
	}

	private Mono<Map<String, IssuedCoupon>> writeBatch(List<Waiter> batch) {
		// coupon rows are locked in id order, so two lanes never wait on each other in a cycle
		Map<Long, List<PendingIssue>> byCoupon = new TreeMap<>();
		batch.forEach((w) -> byCoupon.computeIfAbsent(w.issue().couponId(), (id) -> new ArrayList<>()).add(w.issue()));
		Mono<Map<String, IssuedCoupon>> transaction = Flux.fromIterable(byCoupon.entrySet())
			.concatMap((entry) -> writeCoupon(entry.getKey(), entry.getValue()))
			.collectMap((row) -> key(row.coupon().couponId(), row.userId()), CouponRepository.IssuedCouponRow::coupon,
					HashMap::new)
			.as(this.transactional::transactional);
		return transaction
			.retryWhen(Retry.backoff(3, Duration.ofMillis(20))
				.filter((ex) -> ex instanceof TransientDataAccessException || ex instanceof ConcurrencyFailureException))
			.flatMap((committed) -> Flux.fromIterable(byCoupon.entrySet())
				.concatMap((entry) -> confirmAndForget(entry.getKey(), entry.getValue()))
				.then(Mono.just(committed)));
	}

	/**
	 * After the commit: confirms the holders in Redis (repairs a state rebuilt while this batch was in
	 * flight), then deletes the log entries. A failure here only leaves entries for recovery to replay.
	 */
	private Mono<Void> confirmAndForget(long couponId, List<PendingIssue> issues) {
		List<Long> userIds = issues.stream().map(PendingIssue::userId).distinct().toList();
		return this.state.confirm(couponId, userIds)
			.doOnNext((missing) -> {
				if (missing > 0) {
					logger.warn("Coupon " + couponId + ": " + missing
							+ " committed holders were missing from a rebuilt Redis state; added them");
				}
			})
			.then(this.state.forget(couponId, issues.stream().map(PendingIssue::logEntryId).toList()))
			.onErrorResume((ex) -> {
				logger.warn("Committed issues of coupon " + couponId + " stay in the Redis log until recovery replays them: "
						+ ex);
				return Mono.empty();
			})
			.then();
	}

	private Flux<CouponRepository.IssuedCouponRow> writeCoupon(long couponId, List<PendingIssue> issues) {
		List<Long> userIds = issues.stream().map(PendingIssue::userId).distinct().toList();
		// Lock the coupon row first: the inserts' foreign-key checks take shared locks on it, and two
		// transactions holding those while both upgrading to update issued_count would deadlock.
		return this.repository.lockCoupon(couponId)
			.then(this.repository.insertUserCoupons(couponId, issues))
			.flatMap((inserted) -> (inserted > 0) ? this.repository.addIssuedCount(couponId, inserted) : Mono.just(0L))
			.thenMany(this.repository.findUserCoupons(couponId, userIds));
	}

	private static void complete(List<Waiter> batch, Map<String, IssuedCoupon> committed) {
		for (Waiter waiter : batch) {
			IssuedCoupon coupon = committed.get(key(waiter.issue().couponId(), waiter.issue().userId()));
			if (coupon != null) {
				waiter.sink().success(coupon);
			}
			else {
				waiter.sink().error(new IllegalStateException("Committed issue not found: " + waiter.issue()));
			}
		}
	}

	private static void fail(List<Waiter> batch, Throwable error) {
		logger.error("Could not commit " + batch.size() + " coupon issues; they stay in the Redis log for recovery",
				error);
		ProblemException problem = new ProblemException(ErrorCode.SERVICE_UNAVAILABLE,
				"The coupon was claimed but its confirmation is delayed; retry to see it (409 means you hold it).");
		batch.forEach((waiter) -> waiter.sink().error(problem));
	}

	private static String key(long couponId, long userId) {
		return couponId + ":" + userId;
	}

	private record Waiter(PendingIssue issue, MonoSink<IssuedCoupon> sink) {
	}

}
