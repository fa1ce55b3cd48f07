package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.coupon.CouponRepository.IssuedCouponRow;
import com.example.flashsale.coupon.CouponRepository.LockedCoupon;
import com.example.flashsale.support.config.TransactionConfig;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Group commit of issued coupons to MySQL, keeping the database off the per-request path
 * (docs/flows.md "First-come coupon issue"). Every request that won in Redis queues its
 * {@link PendingIssue} on its coupon's queue; per coupon, up to {@code lanes} workers each take
 * everything queued (at most {@code maxBatch}) and commit it in one transaction of that coupon alone, so a
 * coupon whose commit fails or waits never holds back another coupon's claims.
 *
 * <p>MySQL decides. Under the coupon row lock, a commit reads {@code total_quantity - issued_count} and
 * inserts at most that many of its users (in the order Redis decided them); the others are answered 410
 * (Redis had let too many win after losing data) and stop being holders in Redis, and the coupon is
 * marked sold out there. A user who already holds a row from another issue (Redis forgot the holder) is
 * answered 409; a row of this very issue (its token, {@code issue_ref}) is answered 201, so replays,
 * lost commit replies and re-sent scripts are harmless. No commit can exceed the total, so none fails on
 * the database's CHECK. After the commit, {@code coupon-settle.lua} brings Redis in line, then the
 * waiters are answered. When the commit fails after retries, waiters get 503, the issues stay in the
 * Redis log for {@link IssueLogRecovery}, and the failure is counted and shown to operators.
 */
@Component
class IssueWriter {

	private static final Log logger = LogFactory.getLog(IssueWriter.class);

	private final CouponRepository repository;

	private final CouponIssueState state;

	private final TransactionalOperator transactional;

	private final CouponMetrics metrics;

	private final Clock clock;

	private final int maxBatch;

	private final int lanes;

	private final Map<Long, CouponQueue> queues = new ConcurrentHashMap<>();

	IssueWriter(CouponRepository repository, CouponIssueState state,
			@Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional, CouponProperties properties,
			CouponMetrics metrics, Clock clock) {
		this.repository = repository;
		this.state = state;
		this.transactional = transactional;
		this.metrics = metrics;
		this.clock = clock;
		this.maxBatch = properties.writer().maxBatch();
		this.lanes = properties.writer().lanes();
	}

	/**
	 * Commits {@code issue} with the next batch of its coupon.
	 * @return the durable user coupon; a {@link ProblemException} COUPON_SOLD_OUT 410 when MySQL had no
	 * room left, COUPON_ALREADY_ISSUED 409 when the user holds a row of an earlier issue,
	 * SERVICE_UNAVAILABLE 503 when the commit failed (the issue stays in the Redis log)
	 */
	Mono<IssuedCoupon> commit(PendingIssue issue) {
		return Mono.create((sink) -> {
			CouponQueue queue = this.queues.computeIfAbsent(issue.couponId(), CouponQueue::new);
			queue.waiters.add(new Waiter(issue, sink));
			queue.drain();
		});
	}

	/** One coupon's waiting issues and its lanes. */
	private final class CouponQueue {

		private final long couponId;

		private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

		private final AtomicInteger activeLanes = new AtomicInteger();

		CouponQueue(long couponId) {
			this.couponId = couponId;
		}

		void drain() {
			while (!this.waiters.isEmpty()) {
				int active = this.activeLanes.get();
				if (active >= IssueWriter.this.lanes) {
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
			while (batch.size() < IssueWriter.this.maxBatch && (waiter = this.waiters.poll()) != null) {
				batch.add(waiter);
			}
			if (batch.isEmpty()) {
				this.activeLanes.decrementAndGet();
				// re-check: an issue queued between the poll and the decrement must not wait for the next arrival
				drain();
				return;
			}
			write(this.couponId, batch.stream().map(Waiter::issue).toList())
				.subscribe((committed) -> complete(batch, committed), (error) -> {
					fail(this.couponId, batch, error);
					runLane();
				}, this::runLane);
		}

	}

	/** Commits one coupon's batch, then settles Redis; a settle failure is only logged. */
	private Mono<Commit> write(long couponId, List<PendingIssue> issues) {
		return transaction(couponId, issues)
			.retryWhen(Retry.backoff(3, Duration.ofMillis(20))
				.filter((ex) -> ex instanceof TransientDataAccessException || ex instanceof ConcurrencyFailureException))
			.flatMap((commit) -> settle(couponId, issues, commit).thenReturn(commit));
	}

	private Mono<Commit> transaction(long couponId, List<PendingIssue> issues) {
		List<Long> userIds = issues.stream().map(PendingIssue::userId).distinct().toList();
		Mono<Commit> work = this.repository.lockCoupon(couponId)
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("Coupon " + couponId + " does not exist")))
			.flatMap((locked) -> this.repository.findUserCoupons(couponId, userIds)
				.collectMap(IssuedCouponRow::userId)
				.flatMap((existing) -> {
					List<PendingIssue> admitted = admitted(issues, existing.keySet(),
							Math.max(0, locked.totalQuantity() - locked.issuedCount()));
					if (admitted.isEmpty()) {
						return Mono.just(new Commit(locked, locked.issuedCount(), existing));
					}
					return this.repository.insertUserCoupons(couponId, admitted)
						.flatMap((inserted) -> this.repository.addIssuedCount(couponId, inserted).thenReturn(inserted))
						.flatMap((inserted) -> this.repository
							.findUserCoupons(couponId, admitted.stream().map(PendingIssue::userId).toList())
							.collectList()
							.map((fresh) -> {
								Map<Long, IssuedCouponRow> rows = new HashMap<>(existing);
								fresh.forEach((row) -> rows.put(row.userId(), row));
								return new Commit(locked, locked.issuedCount() + inserted.intValue(), rows);
							}));
				}));
		return work.as(this.transactional::transactional);
	}

	/**
	 * The issues to insert: each user's first issue (in the order Redis decided them) among users without
	 * a row, at most {@code room} of them.
	 */
	private static List<PendingIssue> admitted(List<PendingIssue> issues, Set<Long> holding, int room) {
		List<PendingIssue> admitted = new ArrayList<>();
		Set<Long> seen = new HashSet<>(holding);
		for (PendingIssue issue : issues.stream().sorted(DECISION_ORDER).toList()) {
			if (admitted.size() == room) {
				break;
			}
			if (seen.add(issue.userId())) {
				admitted.add(issue);
			}
		}
		return admitted;
	}

	/** Stream entry ids ({@code <ms>-<seq>}) in the order Redis decided them. */
	private static final Comparator<PendingIssue> DECISION_ORDER = Comparator
		.comparingLong((PendingIssue issue) -> entryPart(issue.logEntryId(), 0))
		.thenComparingLong((issue) -> entryPart(issue.logEntryId(), 1));

	private static long entryPart(String entryId, int part) {
		String[] parts = entryId.split("-", 2);
		return (part < parts.length) ? Long.parseLong(parts[part]) : 0L;
	}

	private Mono<Void> settle(long couponId, List<PendingIssue> issues, Commit commit) {
		Map<Long, String> holders = new LinkedHashMap<>();
		List<PendingIssue> refused = new ArrayList<>();
		for (PendingIssue issue : issues) {
			IssuedCouponRow row = commit.rows().get(issue.userId());
			if (row == null) {
				refused.add(issue);
			}
			else if (isThisIssue(issue, row) || !holders.containsKey(issue.userId())) {
				holders.put(issue.userId(), isThisIssue(issue, row) ? issue.holderValue() : "");
			}
		}
		List<String> entryIds = issues.stream().map(PendingIssue::logEntryId).distinct().toList();
		return this.state
			.settle(couponId, this.state.expireAt(commit.locked().endsAt()), holders, refused, entryIds,
					commit.issuedCount() >= commit.locked().totalQuantity())
			.doOnNext((missing) -> {
				if (missing > 0) {
					logger.warn("Coupon " + couponId + ": " + missing
							+ " committed holders were missing from the Redis state (it was rebuilt); added them");
				}
			})
			.onErrorResume((ex) -> {
				logger.warn("Committed issues of coupon " + couponId
						+ " stay in the Redis log until recovery replays them: " + ex);
				return Mono.empty();
			})
			.then();
	}

	private static boolean isThisIssue(PendingIssue issue, IssuedCouponRow row) {
		return issue.token() == null || issue.token().equals(row.issueRef());
	}

	private static void complete(List<Waiter> batch, Commit commit) {
		for (Waiter waiter : batch) {
			PendingIssue issue = waiter.issue();
			IssuedCouponRow row = commit.rows().get(issue.userId());
			if (row == null) {
				waiter.sink().error(new ProblemException(ErrorCode.COUPON_SOLD_OUT,
						"Coupon " + issue.couponId() + " is sold out."));
			}
			else if (isThisIssue(issue, row)) {
				waiter.sink().success(row.coupon());
			}
			else {
				waiter.sink().error(new ProblemException(ErrorCode.COUPON_ALREADY_ISSUED,
						"You already hold coupon " + issue.couponId() + "."));
			}
		}
	}

	private void fail(long couponId, List<Waiter> batch, Throwable error) {
		logger.error("Could not commit " + batch.size() + " issues of coupon " + couponId
				+ "; they stay in the Redis log for recovery", error);
		this.metrics.commitFailed(couponId);
		this.state.commitFailed(couponId, this.clock.instant(), String.valueOf(error.getMessage()))
			.subscribe(null, (ex) -> logger.warn("Could not record the failed commit of coupon " + couponId + ": " + ex));
		ProblemException problem = new ProblemException(ErrorCode.SERVICE_UNAVAILABLE,
				"The coupon was claimed but its confirmation is delayed; retry to see it (409 means you hold it).");
		batch.forEach((waiter) -> waiter.sink().error(problem));
	}

	/**
	 * One coupon's commit.
	 * @param locked the coupon's figures read under its row lock
	 * @param issuedCount issued_count after the commit
	 * @param rows the user coupons of the batch's users, by user
	 */
	private record Commit(LockedCoupon locked, int issuedCount, Map<Long, IssuedCouponRow> rows) {
	}

	private record Waiter(PendingIssue issue, MonoSink<IssuedCoupon> sink) {
	}

}
