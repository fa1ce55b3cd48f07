package com.example.flashsale.coupon;

/** Whether a coupon event accepts claims at all (inside its window). */
enum CouponStatus {

	ACTIVE, INACTIVE

}
