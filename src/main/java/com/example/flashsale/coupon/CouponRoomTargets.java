package com.example.flashsale.coupon;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.waitingroom.RoomTargets;
import com.example.flashsale.waitingroom.TargetType;

/** A waiting room may open in front of a coupon event that exists (docs/api.md "Waiting room"). */
@Component
class CouponRoomTargets implements RoomTargets {

	private final CouponRepository repository;

	CouponRoomTargets(CouponRepository repository) {
		this.repository = repository;
	}

	@Override
	public TargetType type() {
		return TargetType.COUPON;
	}

	/** Empty when coupon event {@code id} exists; 404 COUPON_NOT_FOUND otherwise. */
	@Override
	public Mono<Void> requireExists(long id) {
		return this.repository.findById(id)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.COUPON_NOT_FOUND, "Coupon " + id + " does not exist.")))
			.then();
	}

}
