package com.example.flashsale.coupon;

import java.util.Map;

/**
 * A coupon event as the operator console shows it live (docs/operations.md "Operator console").
 *
 * @param issued user coupons durable in MySQL
 * @param remaining what Redis has left to give, null while the event's state is not loaded in Redis
 * @param outcomes claims decided in Redis by outcome (ISSUED, DUPLICATE, SOLD_OUT, NOT_ISSUABLE) since the
 * state was last loaded, across every instance
 * @param uncommitted issues decided in Redis and not yet committed to MySQL
 * @param commitFailures failed commits since the last successful one (0 when healthy)
 */
public record CouponLive(long id, String code, String name, int total, int issued, Long remaining,
		Map<String, Long> outcomes, long uncommitted, int commitFailures) {
}
