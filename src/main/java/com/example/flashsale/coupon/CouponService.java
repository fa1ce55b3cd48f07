package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import com.example.flashsale.coupon.CouponIssueState.IssueDecision;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;

/**
 * The coupon feature's API (docs/api.md "Coupons", docs/flows.md "First-come coupon issue"): open an event, claim a coupon first-come, list a user's
 * coupons, and the operators' view of an event. The durability model is on the package documentation.
 */
@Service
public class CouponService {

	private final CouponRepository repository;

	private final CouponIssueState state;

	private final IssueWriter writer;

	private final CouponMetrics metrics;

	private final Clock clock;

	private final CouponSoldOut soldOut;

	/** One load per coupon at a time per instance, however many requests find its state missing. */
	private final Map<Long, Mono<Boolean>> loading = new ConcurrentHashMap<>();

	CouponService(CouponRepository repository, CouponIssueState state, IssueWriter writer, CouponMetrics metrics,
			Clock clock, CouponSoldOut soldOut) {
		this.soldOut = soldOut;
		this.repository = repository;
		this.state = state;
		this.writer = writer;
		this.metrics = metrics;
		this.clock = clock;
	}

	/**
	 * Opens a coupon event in MySQL and installs its issue state in Redis.
	 * @return the operators' view; {@link ErrorCode#DUPLICATE_COUPON_CODE} 409 when the code exists
	 */
	public Mono<CouponAdminView> create(NewCoupon request) {
		return this.repository
			.insert(request.code(), request.name(), request.discountAmount(), request.totalQuantity(),
					request.startsAt(), request.endsAt(), request.validDays(), this.clock.instant())
			.onErrorMap(DuplicateKeyException.class, (ex) -> new ProblemException(ErrorCode.DUPLICATE_COUPON_CODE,
					"A coupon with code '" + request.code() + "' already exists."))
			.flatMap(this::view);
	}

	/**
	 * Claims coupon {@code couponId} for {@code userId} (docs/flows.md "First-come coupon issue"): decided in Redis by one script,
	 * answered after the issue is committed to MySQL. Once the script has run, the rest runs to the end
	 * even if the caller cancels, so a decided issue is never left half-done.
	 * @return the durable user coupon; problems COUPON_NOT_FOUND 404, COUPON_NOT_ISSUABLE 403,
	 * COUPON_ALREADY_ISSUED 409, COUPON_SOLD_OUT 410. An event this instance knows is sold out for good is
	 * answered from memory with the same problem, without Redis or MySQL ({@link CouponSoldOut}).
	 */
	Mono<IssuedCoupon> issue(long couponId, long userId) {
		ProblemException known = this.soldOut.answer(couponId, userId, this.clock.instant());
		if (known != null) {
			this.metrics.refused(couponId, known);
			return Mono.error(known);
		}
		return RunToCompletion.of(() -> decideAndCommit(couponId, userId, true))
			.doOnSuccess((issued) -> this.metrics.issued(couponId))
			.doOnError((error) -> {
				this.metrics.refused(couponId, error);
				if (error instanceof ProblemException problem && problem.code() == ErrorCode.COUPON_SOLD_OUT) {
					this.soldOut.soldOutSeen(couponId);
				}
			});
	}

	private Mono<IssuedCoupon> decideAndCommit(long couponId, long userId, boolean loadIfMissing) {
		Instant now = this.clock.instant();
		return this.state.issue(couponId, userId, now).flatMap((decision) -> {
			if (decision instanceof IssueDecision.Issued issued) {
				return this.writer.commit(issued.issue());
			}
			if (decision instanceof IssueDecision.Missing) {
				if (!loadIfMissing) {
					return Mono.error(new ProblemException(ErrorCode.SERVICE_UNAVAILABLE,
							"Coupon state could not be loaded; retry."));
				}
				return loadState(couponId, now).then(decideAndCommit(couponId, userId, false));
			}
			return Mono.error(problem(decision, couponId));
		});
	}

	/** The problem the full path answers for {@code decision} (also the answers of {@link CouponSoldOut}). */
	static ProblemException problem(IssueDecision decision, long couponId) {
		if (decision instanceof IssueDecision.NotIssuable) {
			return new ProblemException(ErrorCode.COUPON_NOT_ISSUABLE,
					"Coupon " + couponId + " cannot be claimed now (outside its issue window or inactive).");
		}
		if (decision instanceof IssueDecision.Duplicate) {
			return new ProblemException(ErrorCode.COUPON_ALREADY_ISSUED, "You already hold coupon " + couponId + ".");
		}
		return new ProblemException(ErrorCode.COUPON_SOLD_OUT, "Coupon " + couponId + " is sold out.");
	}

	/**
	 * Rebuilds a coupon's Redis state from MySQL (first claim, or Redis lost its data). A coupon outside
	 * its window is answered 403 without loading anything.
	 */
	private Mono<Boolean> loadState(long couponId, Instant now) {
		return findCoupon(couponId).flatMap((coupon) -> {
			if (!coupon.issuableAt(now)) {
				return Mono.<Boolean>error(problem(new IssueDecision.NotIssuable(), couponId));
			}
			return install(coupon);
		});
	}

	/** Installs {@code coupon}'s state from MySQL; one load per coupon at a time per instance. */
	private Mono<Boolean> install(Coupon coupon) {
		return this.loading.computeIfAbsent(coupon.id(),
				(id) -> this.state.install(coupon, this.repository.findHolderIds(id))
					.doFinally((signal) -> this.loading.remove(id))
					.cache());
	}

	/**
	 * The caller's coupons that are AVAILABLE and not expired, newest first.
	 */
	Flux<UserCouponView> availableCoupons(long userId) {
		return this.repository.findAvailable(userId, this.clock.instant());
	}

	/**
	 * The operators' view of an event: issued count as MySQL has it, remaining, uncommitted issues and
	 * commit failures as Redis has them. An event outside its window whose Redis state is gone (it expires a
	 * day after the window) reports the remaining quantity MySQL implies instead of loading the state again.
	 * @return the view; COUPON_NOT_FOUND 404
	 */
	Mono<CouponAdminView> view(long couponId) {
		return findCoupon(couponId).flatMap((coupon) -> this.state.view(couponId)
			.switchIfEmpty(Mono.defer(() -> coupon.issuableAt(this.clock.instant())
					? install(coupon).then(this.state.view(couponId)) : Mono.empty()))
			.map((view) -> CouponAdminView.of(coupon, view))
			.defaultIfEmpty(CouponAdminView.closed(coupon)));
	}

	/**
	 * The events open now or closed within {@code closedWithin}, newest first, at most {@code limit}, with
	 * their durable issued count and their live Redis state (for the operator console).
	 */
	public Flux<CouponLive> live(Duration closedWithin, int limit) {
		return this.repository.findEndingAfter(this.clock.instant().minus(closedWithin), limit)
			.concatMap((coupon) -> this.state.view(coupon.id())
				.map((view) -> new CouponLive(coupon.id(), coupon.code(), coupon.name(), coupon.totalQuantity(),
						coupon.issuedCount(), view.remaining(), view.outcomes(), view.uncommitted(),
						view.commitFailures()))
				.defaultIfEmpty(new CouponLive(coupon.id(), coupon.code(), coupon.name(), coupon.totalQuantity(),
						coupon.issuedCount(), null, Map.of(), 0, 0)));
	}

	private Mono<Coupon> findCoupon(long couponId) {
		return this.repository.findById(couponId)
			.switchIfEmpty(Mono.error(
					() -> new ProblemException(ErrorCode.COUPON_NOT_FOUND, "Coupon " + couponId + " does not exist.")));
	}

}
