package com.example.flashsale.coupon;

/**
 * The status of an issued coupon (docs/domain.md "User coupons"): usable while {@code AVAILABLE} and not
 * past its expiry, {@code USED} by one order (back to AVAILABLE if recovery cancels that order).
 * {@code EXPIRED} is part of the contract; the service tells expiry by {@code expires_at} and never
 * writes it. Stored by name in {@code user_coupons.status}.
 */
public enum UserCouponStatus {

	AVAILABLE, USED, EXPIRED

}
