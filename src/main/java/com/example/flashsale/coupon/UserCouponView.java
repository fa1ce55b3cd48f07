package com.example.flashsale.coupon;

import java.time.Instant;

/** One entry of {@code GET /api/coupons}: a coupon the caller holds and can use (docs/api.md "Coupons"). KRW. */
record UserCouponView(long userCouponId, long couponId, String name, long discountAmount, UserCouponStatus status,
		Instant issuedAt, Instant expiresAt) {
}
