package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Commits the issues that Redis decided but MySQL never received: the process died (or the database
 * failed) between the issue script and the group commit. Runs at startup and every
 * {@code app.coupon.recovery.interval}; takes log entries older than {@code min-age} from every
 * {@code coupon:{id}:log} stream and commits them through the {@link IssueWriter}, which recognises
 * those already in MySQL. Several instances may run it at once: replays are harmless, so no leader is
 * needed.
 *
 * <p>An event whose replay fails (a poisoned event) is isolated: each event is replayed on its own, and
 * a failed one is left alone for a wait that starts at the interval and doubles up to
 * {@code max-backoff}, so it neither fails nor slows the others. Its failures are counted
 * ({@code coupon.issue.commit.failures}) and shown in the event's admin and live views
 * (docs/operations.md "Coupon commits that fail").
 */
@Component
class IssueLogRecovery extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(IssueLogRecovery.class);

	private static final int ENTRIES_PER_PASS = 1000;

	private static final int EVENTS_AT_ONCE = 4;

	private final CouponIssueState state;

	private final IssueWriter writer;

	private final Clock clock;

	private final CouponProperties.Recovery properties;

	private final CouponMetrics metrics;

	/** Events whose last replay failed on this instance, and when to try them again. */
	private final Map<Long, Backoff> backoffs = new ConcurrentHashMap<>();

	IssueLogRecovery(CouponIssueState state, IssueWriter writer, Clock clock, CouponProperties properties,
			SingleRunJobs jobs, CouponMetrics metrics) {
		super(jobs);
		this.metrics = metrics;
		this.state = state;
		this.writer = writer;
		this.clock = clock;
		this.properties = properties.recovery();
	}

	/**
	 * Commits every logged issue decided more than {@code minAge} ago, except those of events still
	 * backing off after a failed replay.
	 * @return how many log entries were replayed (committed, or settled as refused or duplicate)
	 */
	Mono<Long> recover(Duration minAge) {
		Instant now = this.clock.instant();
		Instant cutoff = now.minus(minAge);
		return this.state.loggedCouponIds()
			.filter((couponId) -> {
				Backoff backoff = this.backoffs.get(couponId);
				return backoff == null || !now.isBefore(backoff.next());
			})
			.flatMap((couponId) -> recoverCoupon(couponId, cutoff), EVENTS_AT_ONCE)
			.reduce(0L, Long::sum);
	}

	private Mono<Long> recoverCoupon(long couponId, Instant cutoff) {
		// committed entries leave the log, so each pass reads the oldest remaining ones
		return replayOldest(couponId, cutoff)
			.expand((replayed) -> (replayed == ENTRIES_PER_PASS) ? replayOldest(couponId, cutoff) : Mono.empty())
			.reduce(0L, Long::sum)
			.doOnNext((replayed) -> this.backoffs.remove(couponId))
			.onErrorResume((ex) -> {
				// one coupon that cannot be committed must not hold back the others
				Backoff backoff = this.backoffs.merge(couponId, Backoff.first(this.clock.instant(), this.properties.interval()),
						(previous, first) -> previous.next(this.clock.instant(), this.properties.interval(),
								this.properties.maxBackoff()));
				logger.error("Could not replay the issue log of coupon " + couponId + " (failure " + backoff.failures()
						+ "); next attempt at " + backoff.next(), ex);
				return Mono.just(0L);
			});
	}

	private Mono<Long> replayOldest(long couponId, Instant cutoff) {
		return this.state.loggedBefore(couponId, cutoff, ENTRIES_PER_PASS)
			.flatMap((issue) -> this.writer.commit(issue)
				.then()
				// MySQL's answer to a replay: refused (the event was full) or another issue's row; settled either way
				.onErrorResume(IssueLogRecovery::settled, (ex) -> Mono.empty())
				.thenReturn(1L), ENTRIES_PER_PASS)
			.count();
	}

	private static boolean settled(Throwable error) {
		return error instanceof ProblemException problem
				&& (problem.code() == ErrorCode.COUPON_SOLD_OUT || problem.code() == ErrorCode.COUPON_ALREADY_ISSUED);
	}

	/** Every instance runs it, from startup on: replays are harmless, so no lock is needed. */
	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("coupon-issue-log-recovery", Duration.ZERO, this.properties.interval());
	}

	@Override
	protected Mono<Long> runOnce() {
		return recover(this.properties.minAge()).doOnNext((replayed) -> {
			if (replayed > 0) {
				this.metrics.recovered(replayed);
				logger.info("Recovered " + replayed + " coupon issues from the Redis log");
			}
		});
	}

	/**
	 * How an event whose replay failed is retried.
	 * @param failures consecutive failed replays
	 * @param next the earliest time of the next attempt
	 */
	private record Backoff(int failures, Instant next) {

		static Backoff first(Instant now, Duration interval) {
			return new Backoff(1, now.plus(interval));
		}

		Backoff next(Instant now, Duration interval, Duration max) {
			Duration wait = interval.multipliedBy(1L << Math.min(this.failures, 20));
			return new Backoff(this.failures + 1, now.plus((wait.compareTo(max) > 0) ? max : wait));
		}

	}

}
