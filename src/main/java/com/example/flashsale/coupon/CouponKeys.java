package com.example.flashsale.coupon;

/**
 * Redis keys of one coupon event. All share the Redis Cluster hash tag {@code {couponId}} so the issue
 * script, which touches all three, runs on one slot.
 */
final class CouponKeys {

	/** SCAN pattern matching every coupon's issue log. */
	static final String LOG_PATTERN = "coupon:{*}:log";

	private CouponKeys() {
	}

	/** Hash with total, remaining, window and validity. */
	static String state(long couponId) {
		return "coupon:{" + couponId + "}:state";
	}

	/** Set of user ids that hold the coupon. */
	static String issued(long couponId) {
		return "coupon:{" + couponId + "}:issued";
	}

	/** Stream of issues decided in Redis and not yet committed to MySQL. */
	static String log(long couponId) {
		return "coupon:{" + couponId + "}:log";
	}

	/** The coupon id of a {@link #log} key, or -1 when the key is not one. */
	static long couponIdOfLog(String key) {
		if (key.startsWith("coupon:{") && key.endsWith("}:log")) {
			try {
				return Long.parseLong(key.substring("coupon:{".length(), key.length() - "}:log".length()));
			}
			catch (NumberFormatException ex) {
				return -1;
			}
		}
		return -1;
	}

}
