package com.example.flashsale.coupon;

import java.time.Instant;

/**
 * The operators' view of a coupon event ({@code GET /api/admin/coupons/{id}}, also the 201 body of its
 * creation). {@code issuedCount} is what MySQL holds, {@code remainingQuantity} what Redis holds; after
 * the dust settles {@code issuedCount + remainingQuantity == totalQuantity}.
 */
public record CouponAdminView(long id, String code, String name, long discountAmount, int totalQuantity, int issuedCount,
		long remainingQuantity, Instant startsAt, Instant endsAt, int validDays, CouponStatus status) {

	static CouponAdminView of(Coupon coupon, long remaining) {
		return new CouponAdminView(coupon.id(), coupon.code(), coupon.name(), coupon.discountAmount(),
				coupon.totalQuantity(), coupon.issuedCount(), remaining, coupon.startsAt(), coupon.endsAt(),
				coupon.validDays(), coupon.status());
	}

}
