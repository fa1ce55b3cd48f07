package com.example.flashsale.coupon;

import java.time.Instant;

/** One entry of {@code GET /api/coupons}: a coupon the caller holds and can use (SPEC section 3). KRW. */
record UserCouponView(long userCouponId, long couponId, String name, long discountAmount, String status,
		Instant issuedAt, Instant expiresAt) {
}
