package com.example.flashsale.coupon;

/**
 * Redis keys of one coupon event (docs/redis.md "Coupon state"). All share the Redis Cluster hash tag
 * {@code {couponId}} so the scripts, which touch several of them, run on one slot.
 */
final class CouponKeys {

	/** SCAN pattern matching every coupon's issue log. */
	static final String LOG_PATTERN = "coupon:{*}:log";

	/** SCAN pattern matching every coupon's state hash. */
	static final String STATE_PATTERN = "coupon:{*}:state";

	private CouponKeys() {
	}

	/** Hash with the format version, total, window, validity, the soldOut flag and outcome counts. */
	static String state(long couponId) {
		return "coupon:{" + couponId + "}:state";
	}

	/** Hash of the users that hold the coupon: user id -> {@code <token>|<logEntryId>|<issuedAt ms>} or empty. */
	static String holders(long couponId) {
		return "coupon:{" + couponId + "}:holders";
	}

	/** Stream of issues decided in Redis and not yet committed to MySQL. */
	static String log(long couponId) {
		return "coupon:{" + couponId + "}:log";
	}

	/** The coupon id of a {@link #log} key, or -1 when the key is not one. */
	static long couponIdOfLog(String key) {
		return couponIdOf(key, "}:log");
	}

	/** The coupon id of a {@link #state} key, or -1 when the key is not one. */
	static long couponIdOfState(String key) {
		return couponIdOf(key, "}:state");
	}

	private static long couponIdOf(String key, String suffix) {
		if (key.startsWith("coupon:{") && key.endsWith(suffix)) {
			try {
				return Long.parseLong(key.substring("coupon:{".length(), key.length() - suffix.length()));
			}
			catch (NumberFormatException ex) {
				return -1;
			}
		}
		return -1;
	}

}
