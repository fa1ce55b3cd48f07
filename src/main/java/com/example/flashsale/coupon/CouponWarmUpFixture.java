package com.example.flashsale.coupon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The coupon feature's part of the startup warm-up (docs/operations.md "Cold start"): the sold-out claim of
 * a coupon rush, end to end (JWT, routing, the {@code coupon-issue.lua} decision, the 410 problem). The
 * synthetic event {@link WarmUpIdentity#COUPON_ID} exists only as a sold-out issue state in Redis during the
 * warm-up (never in MySQL, so no console or user ever sees it; the reconciler skips it and its claims are
 * not counted in {@code coupon.issue.requests}); its keys are deleted afterwards.
 */
@Component
class CouponWarmUpFixture implements WarmUpFixture {

	/**
	 * How many shares of the warm-up's workers the sold-out claim gets (every other route has one): it is
	 * the path of the largest crowd, and the warm-up's requests are bound by the CPU, not by its workers.
	 */
	static final int CLAIM_SHARES = 3;

	private final CouponIssueState state;

	private final ReactiveStringRedisTemplate redis;

	private final Clock clock;

	CouponWarmUpFixture(CouponIssueState state, ReactiveStringRedisTemplate redis, Clock clock) {
		this.state = state;
		this.redis = redis;
		this.clock = clock;
	}

	@Override
	public Mono<Void> prepare() {
		Instant now = this.clock.instant();
		Coupon soldOut = new Coupon(WarmUpIdentity.COUPON_ID, "WARMUP", "warm-up", 1, 1, 1, now.minus(Duration.ofHours(1)),
				now.plus(Duration.ofHours(1)), 1, CouponStatus.ACTIVE, now);
		// a leftover of an earlier warm-up (not cleaned up) is replaced
		return cleanUp(List.of()).then(this.state.install(soldOut, Flux.empty())).then();
	}

	@Override
	public List<WarmUpCall> calls() {
		return Collections.nCopies(CLAIM_SHARES, new WarmUpCall(HttpMethod.POST,
				"/api/coupons/" + WarmUpIdentity.COUPON_ID + "/issue", null, false));
	}

	@Override
	public Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		long id = WarmUpIdentity.COUPON_ID;
		return this.redis.delete(CouponKeys.state(id), CouponKeys.holders(id), CouponKeys.log(id)).then();
	}

}
