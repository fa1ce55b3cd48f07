package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * Compares every coupon event that has a state in Redis with MySQL and repairs the drift
 * (docs/redis.md "Coupon reconciler"): on a schedule ({@code app.coupon.reconcile.interval}, one instance
 * at a time) and on demand ({@code POST /api/admin/coupons/reconcile}).
 *
 * <p>Remaining is derived from the holders ({@code total - holders}, 0 once sold out), so the holders are
 * what is compared. Per event, in this order: the Redis holders, the issue log, then MySQL's holders and
 * issued count. Repairs, each safe while claims run:
 * <ul>
 * <li>{@code missing_holder}: a user with a row in MySQL is not a holder in Redis (a lost key, an older
 * snapshot, a removed member): added back;</li>
 * <li>{@code stray_holder}: a holder without a row in MySQL whose issue is no longer in the log and was
 * decided more than {@code min-age} ago (its log entry was lost with the process that would have committed
 * it): removed, only if its value is still the one read (a compare-and-set in {@code coupon-reconcile.lua});
 * a commit landing later adds it back;</li>
 * <li>{@code sold_out_flag}: MySQL's issued count reached the total but Redis does not say sold out: set.</li>
 * </ul>
 * An issue still in the log, or decided within {@code min-age}, is a commit in flight, never drift.
 * Repairs are counted in {@code flashsale.reconciler.repairs} ({@code target=coupon}, {@code kind}).
 */
@Component
class CouponReconciler extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(CouponReconciler.class);

	/** A user with a row in MySQL was not a holder in Redis. */
	static final String MISSING_HOLDER = "missing_holder";

	/** A holder without a row whose log entry was lost. */
	static final String STRAY_HOLDER = "stray_holder";

	/** The event is full in MySQL but Redis did not say so. */
	static final String SOLD_OUT_FLAG = "sold_out_flag";

	/** Every kind of repair, the {@code kind} tag of {@code flashsale.reconciler.repairs}. */
	static final List<String> KINDS = List.of(MISSING_HOLDER, STRAY_HOLDER, SOLD_OUT_FLAG);

	private final CouponRepository repository;

	private final CouponIssueState state;

	private final CouponMetrics metrics;

	private final Clock clock;

	private final CouponProperties.Reconcile properties;

	CouponReconciler(CouponRepository repository, CouponIssueState state, CouponMetrics metrics, Clock clock,
			CouponProperties properties, SingleRunJobs jobs) {
		super(jobs);
		this.repository = repository;
		this.state = state;
		this.metrics = metrics;
		this.clock = clock;
		this.properties = properties.reconcile();
	}

	/**
	 * Compares and repairs every event with a Redis state.
	 * @return how many events were checked and what was repaired
	 */
	Mono<CouponReconciliation> reconcile() {
		Instant decidedBefore = this.clock.instant().minus(this.properties.minAge());
		return this.state.stateCouponIds()
			.distinct()
			.concatMap((couponId) -> reconcileCoupon(couponId, decidedBefore).map((repairs) -> new Checked(1, repairs))
				.onErrorResume((ex) -> {
					logger.warn("Could not reconcile coupon " + couponId + "; the next run tries again: " + ex);
					return Mono.empty();
				}))
			.reduce(new Checked(0, List.of()), Checked::plus)
			.map((checked) -> new CouponReconciliation(checked.count(), checked.repairs()));
	}

	private Mono<List<CouponRepair>> reconcileCoupon(long couponId, Instant decidedBefore) {
		return this.state.view(couponId)
			.flatMap((before) -> this.state.holders(couponId)
				.flatMap((redisHolders) -> this.state.logged(couponId)
					.map(PendingIssue::userId)
					.collect(HashSet<Long>::new, Set::add)
					.flatMap((logged) -> this.repository.findHolderIds(couponId)
						.collect(HashSet<Long>::new, Set::add)
						.flatMap((mysqlHolders) -> this.repository.findById(couponId)
							.flatMap((coupon) -> repair(coupon, before, redisHolders, logged, mysqlHolders,
									decidedBefore))))));
	}

	private Mono<List<CouponRepair>> repair(Coupon coupon, CouponIssueState.StateView before, Map<Long, String> redisHolders,
			Set<Long> logged, Set<Long> mysqlHolders, Instant decidedBefore) {
		long couponId = coupon.id();
		List<Long> missing = mysqlHolders.stream().filter((user) -> !redisHolders.containsKey(user)).toList();
		Map<Long, String> strays = new LinkedHashMap<>();
		redisHolders.forEach((user, value) -> {
			if (!mysqlHolders.contains(user) && !logged.contains(user) && decidedBefore(value, decidedBefore)) {
				strays.put(user, value);
			}
		});
		boolean soldOut = coupon.issuedCount() >= coupon.totalQuantity();
		long uncommitted = logged.stream().filter((user) -> !mysqlHolders.contains(user)).count();
		long expected = soldOut ? 0 : Math.max(0, coupon.totalQuantity() - coupon.issuedCount() - uncommitted);
		long redisRemaining = before.remaining();
		return this.state.addHolders(couponId, this.state.expireAt(coupon), Flux.fromIterable(missing))
			.zipWhen((added) -> this.state.reconcile(couponId, soldOut, strays))
			.map((done) -> {
				List<CouponRepair> repairs = new ArrayList<>();
				record(repairs, couponId, MISSING_HOLDER, done.getT1(), redisRemaining, expected);
				record(repairs, couponId, STRAY_HOLDER, done.getT2().get(0), redisRemaining, expected);
				record(repairs, couponId, SOLD_OUT_FLAG, done.getT2().get(1), redisRemaining, expected);
				return repairs;
			});
	}

	private void record(List<CouponRepair> repairs, long couponId, String kind, long count, long redis, long mysql) {
		if (count > 0) {
			this.metrics.repaired(kind, count);
			repairs.add(new CouponRepair(couponId, kind, count, redis, mysql));
			logger.warn("Coupon " + couponId + ": repaired " + count + " " + kind + " (remaining in Redis " + redis
					+ ", implied by MySQL " + mysql + ")");
		}
	}

	/** Whether a holder's issue was decided before {@code cutoff}; a holder loaded from MySQL always was. */
	private static boolean decidedBefore(String value, Instant cutoff) {
		int last = value.lastIndexOf('|');
		if (last < 0) {
			return true;
		}
		try {
			return Long.parseLong(value.substring(last + 1)) < cutoff.toEpochMilli();
		}
		catch (NumberFormatException ex) {
			return true;
		}
	}

	@Override
	protected Schedule schedule() {
		Duration interval = this.properties.interval();
		return Schedule.oneInstance("coupon-reconciler", interval, interval, interval.multipliedBy(4));
	}

	@Override
	protected Mono<CouponReconciliation> runOnce() {
		return reconcile();
	}

	/**
	 * The answer of {@code POST /api/admin/coupons/reconcile}.
	 * @param checked events compared
	 * @param repairs what was repaired, one entry per event and kind
	 */
	record CouponReconciliation(int checked, List<CouponRepair> repairs) {
	}

	/**
	 * One kind of drift repaired in one event.
	 * @param kind {@code missing_holder}, {@code stray_holder} or {@code sold_out_flag}
	 * @param count how many were repaired
	 * @param redis the remaining quantity Redis showed before the repair
	 * @param mysql the remaining quantity MySQL implies: total - issued_count - issues still in the log
	 */
	record CouponRepair(long couponId, String kind, long count, long redis, long mysql) {
	}

	private record Checked(int count, List<CouponRepair> repairs) {

		Checked plus(Checked other) {
			List<CouponRepair> all = new ArrayList<>(this.repairs);
			all.addAll(other.repairs);
			return new Checked(this.count + other.count, all);
		}

	}

}
