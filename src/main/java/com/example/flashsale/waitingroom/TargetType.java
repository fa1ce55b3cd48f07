package com.example.flashsale.waitingroom;

/** What a waiting room protects (docs/api.md "Waiting room"). */
public enum TargetType {

	/** A first-come coupon event: {@code POST /api/coupons/{couponId}/issue}. */
	COUPON,

	/** A product: {@code POST /api/orders} with a line of that product. */
	PRODUCT

}
