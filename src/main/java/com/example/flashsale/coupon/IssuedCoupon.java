package com.example.flashsale.coupon;

import java.time.Instant;

/** A user coupon durable in MySQL: the 201 body of {@code POST /api/coupons/{couponId}/issue}. */
record IssuedCoupon(long userCouponId, long couponId, Instant issuedAt) {
}
