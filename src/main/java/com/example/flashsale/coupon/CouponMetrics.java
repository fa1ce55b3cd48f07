package com.example.flashsale.coupon;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * The coupon feature's meters (docs/operations.md "Metrics"): {@code coupon.issue.requests} counts each
 * claim's outcome per event (tags {@code coupon} = the event id, {@code unknown} for ids that do not exist,
 * so a client cannot grow the tag set; {@code outcome} = issued, duplicate, sold_out, not_issuable,
 * not_found, unavailable), {@code coupon.issues.recovered} the issues the log recovery committed,
 * {@code coupon.issue.commit.failures} the failed commits per event (tag {@code coupon}), and
 * {@code flashsale.reconciler.repairs} what the coupon reconciler repaired (tags {@code target=coupon},
 * {@code kind}).
 */
@Component
class CouponMetrics {

	private final MeterRegistry registry;

	private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

	private final Counter recovered;

	private final Map<Long, Counter> failures = new ConcurrentHashMap<>();

	private final Map<String, Counter> repairs = new ConcurrentHashMap<>();

	CouponMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.recovered = Counter.builder("coupon.issues.recovered")
			.description("Coupon issues decided in Redis and committed to MySQL by the issue-log recovery")
			.register(registry);
		// registered at 0, so dashboards and alerts see the reconciler before its first repair
		CouponReconciler.KINDS.forEach((kind) -> repairCounter(kind));
	}

	/** Counts a claim of {@code couponId} that was issued. */
	void issued(long couponId) {
		if (WarmUpIdentity.isCoupon(couponId)) {
			return;
		}
		outcome(Long.toString(couponId), "issued");
	}

	/** Counts a claim of {@code couponId} that failed with {@code error}. */
	void refused(long couponId, Throwable error) {
		if (WarmUpIdentity.isCoupon(couponId)) {
			return; // the startup warm-up's synthetic event (CouponWarmUpFixture) is no business
		}
		String outcome = "unavailable";
		if (error instanceof ProblemException problem) {
			outcome = switch (problem.code()) {
				case COUPON_ALREADY_ISSUED -> "duplicate";
				case COUPON_SOLD_OUT -> "sold_out";
				case COUPON_NOT_ISSUABLE -> "not_issuable";
				case COUPON_NOT_FOUND -> "not_found";
				default -> "unavailable";
			};
		}
		outcome("not_found".equals(outcome) ? "unknown" : Long.toString(couponId), outcome);
	}

	/** Counts a failed commit of a batch of {@code couponId}'s issues. */
	void commitFailed(long couponId) {
		this.failures.computeIfAbsent(couponId, (id) -> Counter.builder("coupon.issue.commit.failures")
			.description("Commits of a coupon event's issues to MySQL that failed (the issues wait in the Redis log)")
			.tag("coupon", Long.toString(id))
			.register(this.registry)).increment();
	}

	/** Counts {@code count} repairs of {@code kind} made by the coupon reconciler. */
	void repaired(String kind, long count) {
		repairCounter(kind).increment(count);
	}

	private Counter repairCounter(String kind) {
		return this.repairs.computeIfAbsent(kind, (k) -> Counter.builder("flashsale.reconciler.repairs")
			.description("Drift between Redis and MySQL that a reconciler repaired")
			.tag("target", "coupon")
			.tag("kind", k)
			.register(this.registry));
	}

	/** Counts issues the log recovery replayed. */
	void recovered(long count) {
		this.recovered.increment(count);
	}

	private void outcome(String coupon, String outcome) {
		this.outcomes.computeIfAbsent(coupon + '|' + outcome, (key) -> Counter.builder("coupon.issue.requests")
			.description("Coupon claims by event and outcome")
			.tag("coupon", coupon)
			.tag("outcome", outcome)
			.register(this.registry)).increment();
	}

}
