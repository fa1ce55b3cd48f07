package com.example.flashsale.support.startup;

/**
 * The reserved namespace of the startup warm-up (docs/operations.md "Cold start"): synthetic user, coupon
 * event and product ids that no real row can have (MySQL's auto-increment ids never reach
 * {@code Long.MAX_VALUE}). No account, event or product row with these ids is ever written; the warm-up's
 * requests use them so that every answer is a refusal that changes no user's data, and features keep them
 * out of their business metrics.
 */
public final class WarmUpIdentity {

	/** How many synthetic user ids are reserved: {@link #FIRST_USER_ID} up to {@code Long.MAX_VALUE}. */
	public static final int USERS = 1024;

	/** The first synthetic user id (there are no such accounts); each warm-up worker is one of them. */
	public static final long FIRST_USER_ID = Long.MAX_VALUE - (USERS - 1);

	/**
	 * A Redis SCAN glob matching the decimal spelling of every reserved user id (and of no real one: they
	 * are all 19 digits starting {@code 922337203685477}).
	 */
	public static final String USER_ID_GLOB = "922337203685477????";

	/** The synthetic coupon event id: its issue state lives in Redis during the warm-up only, sold out. */
	public static final long COUPON_ID = Long.MAX_VALUE;

	/**
	 * The synthetic coupon event an instance tells only itself is sold out, for its warm-up: its claims are
	 * answered from memory, as a sold-out crowd's are; it has no state in Redis or MySQL.
	 */
	public static final long REMEMBERED_COUPON_ID = Long.MAX_VALUE - 1;

	/** The synthetic product id: no such product, so an order of it is refused 404 PRODUCT_NOT_FOUND. */
	public static final long PRODUCT_ID = Long.MAX_VALUE;

	private WarmUpIdentity() {
	}

	/** Whether {@code couponId} is one of the warm-up's synthetic coupon events. */
	public static boolean isCoupon(long couponId) {
		return couponId == COUPON_ID || couponId == REMEMBERED_COUPON_ID;
	}

	/** Whether {@code userId} is one of the warm-up's synthetic users. */
	public static boolean isUser(long userId) {
		return userId >= FIRST_USER_ID;
	}

}
