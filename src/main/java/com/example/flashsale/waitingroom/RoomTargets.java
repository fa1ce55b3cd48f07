package com.example.flashsale.waitingroom;

import reactor.core.publisher.Mono;

/**
 * Whether a room's target exists, answered by the feature that owns that kind of target (docs/api.md
 * "Waiting room"): a room opens only in front of an existing coupon event or product. The coupon feature
 * implements it for {@link TargetType#COUPON}, the product feature for {@link TargetType#PRODUCT}.
 */
public interface RoomTargets {

	/** The kind of target this feature answers for. */
	TargetType type();

	/**
	 * Completes empty when target {@code id} exists.
	 * @return an error with the owning feature's 404 problem (COUPON_NOT_FOUND, PRODUCT_NOT_FOUND) when it does
	 * not
	 */
	Mono<Void> requireExists(long id);

}
