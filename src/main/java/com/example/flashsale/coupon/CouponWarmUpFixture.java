package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.startup.WarmUpCall;
import com.example.flashsale.support.startup.WarmUpFixture;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * The coupon feature's part of the startup warm-up (docs/operations.md "Cold start"): the sold-out claims of
 * a coupon rush, end to end (JWT, routing, the 410 problem), both ways a crowd meets them:
 * <ul>
 * <li>answered from this instance's memory, as every claim after the first few of a sold-out event is (the rate
 * limit skipped, no Redis call): the synthetic event {@link WarmUpIdentity#REMEMBERED_COUPON_ID}, which
 * exists only in this instance's {@link CouponSoldOut} during the warm-up;</li>
 * <li>decided by {@code coupon-issue.lua}, as the claims before the instance knows: the synthetic event
 * {@link WarmUpIdentity#COUPON_ID}, which exists only as a sold-out issue state in Redis during the warm-up.</li>
 * </ul>
 * Neither is ever in MySQL, so no console or user sees them; the reconciler skips them and their claims are
 * not counted in {@code coupon.issue.requests}. Both are forgotten afterwards.
 */
@Component
class CouponWarmUpFixture implements WarmUpFixture {

	/**
	 * How many shares of the warm-up's workers the claim answered from memory gets (every other route has
	 * one): it is the path of the largest crowd, and the warm-up's requests are bound by the CPU, not by its
	 * workers.
	 */
	private static final int REMEMBERED_CLAIM_SHARES = 2;

	private final CouponIssueState state;

	private final CouponSoldOut soldOut;

	private final ReactiveStringRedisTemplate redis;

	private final Clock clock;

	CouponWarmUpFixture(CouponIssueState state, CouponSoldOut soldOut, ReactiveStringRedisTemplate redis,
			Clock clock) {
		this.state = state;
		this.soldOut = soldOut;
		this.redis = redis;
		this.clock = clock;
	}

	@Override
	public Mono<Void> prepare() {
		Instant now = this.clock.instant();
		this.soldOut.remember(soldOutEvent(WarmUpIdentity.REMEMBERED_COUPON_ID, now));
		// a leftover of an earlier warm-up (not cleaned up) is replaced
		return deleteState().then(this.state.install(soldOutEvent(WarmUpIdentity.COUPON_ID, now), Flux.empty())).then();
	}

	/** A sold-out event of one coupon, issuable for an hour either side of {@code now}. */
	private static Coupon soldOutEvent(long id, Instant now) {
		return new Coupon(id, "WARMUP", "warm-up", 1, 1, 1, now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)),
				1, CouponStatus.ACTIVE, now);
	}

	@Override
	public List<WarmUpCall> calls() {
		List<WarmUpCall> calls = new ArrayList<>(Collections.nCopies(REMEMBERED_CLAIM_SHARES,
				new WarmUpCall(HttpMethod.POST, "/api/coupons/" + WarmUpIdentity.REMEMBERED_COUPON_ID + "/issue", null, false)));
		calls.add(new WarmUpCall(HttpMethod.POST, "/api/coupons/" + WarmUpIdentity.COUPON_ID + "/issue", null, false));
		return calls;
	}

	@Override
	public Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		this.soldOut.forget(WarmUpIdentity.REMEMBERED_COUPON_ID);
		return deleteState();
	}

	private Mono<Void> deleteState() {
		long id = WarmUpIdentity.COUPON_ID;
		return this.redis.delete(CouponKeys.state(id), CouponKeys.holders(id), CouponKeys.log(id)).then();
	}

}
