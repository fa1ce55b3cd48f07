package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * Commits the issues that Redis decided but MySQL never received: the process died (or the database
 * failed) between the issue script and the group commit. Runs at startup and every
 * {@code app.coupon.recovery.interval}; takes log entries older than {@code min-age} from every
 * {@code coupon:{id}:log} stream and commits them through the {@link IssueWriter}, which ignores those
 * already in MySQL. Several instances may run it at once: replays are harmless, so no leader is needed.
 */
@Component
class IssueLogRecovery extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(IssueLogRecovery.class);

	private static final int ENTRIES_PER_PASS = 1000;

	private final CouponIssueState state;

	private final IssueWriter writer;

	private final Clock clock;

	private final CouponProperties.Recovery properties;

	private final CouponMetrics metrics;

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
	 * Commits every logged issue decided more than {@code minAge} ago.
	 * @return how many log entries were replayed
	 */
	Mono<Long> recover(Duration minAge) {
		Instant cutoff = this.clock.instant().minus(minAge);
		return this.state.loggedCouponIds()
			.concatMap((couponId) -> recoverCoupon(couponId, cutoff))
			.reduce(0L, Long::sum);
	}

	private Mono<Long> recoverCoupon(long couponId, Instant cutoff) {
		// committed entries leave the log, so each pass reads the oldest remaining ones
		return replayOldest(couponId, cutoff)
			.expand((replayed) -> (replayed == ENTRIES_PER_PASS) ? replayOldest(couponId, cutoff) : Mono.empty())
			.reduce(0L, Long::sum)
			.onErrorResume((ex) -> {
				// one coupon that cannot be committed must not hold back the others
				logger.error("Could not replay the issue log of coupon " + couponId + "; retrying next interval", ex);
				return Mono.just(0L);
			});
	}

	private Mono<Long> replayOldest(long couponId, Instant cutoff) {
		return this.state.loggedBefore(couponId, cutoff, ENTRIES_PER_PASS)
			.flatMap(this.writer::commit, ENTRIES_PER_PASS)
			.count();
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

}
