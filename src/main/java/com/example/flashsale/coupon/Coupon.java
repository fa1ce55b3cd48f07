package com.example.flashsale.coupon;

import java.time.Instant;

/**
 * A coupon event as MySQL holds it (table {@code coupons}, docs/domain.md "Coupon events"). Money in KRW.
 *
 * @param issuedCount user coupons durably issued so far
 * @param startsAt start of the issue window (inclusive)
 * @param endsAt end of the issue window (exclusive)
 * @param validDays days an issued coupon stays usable after its issue
 */
record Coupon(long id, String code, String name, long discountAmount, int totalQuantity, int issuedCount,
		Instant startsAt, Instant endsAt, int validDays, CouponStatus status, Instant createdAt) {

	/** Whether a claim at {@code now} falls inside the window of an active event. */
	boolean issuableAt(Instant now) {
		return this.status == CouponStatus.ACTIVE && !now.isBefore(this.startsAt) && now.isBefore(this.endsAt);
	}

}
