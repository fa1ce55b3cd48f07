package com.example.flashsale.order;

/**
 * The Redis keys and channel of the order feature (docs/redis.md). Idempotency records carry the user id
 * as their Redis Cluster hash tag.
 */
final class OrderKeys {

	/** The pub/sub channel of every order's status changes. */
	static final String STATUS_CHANNEL = "order-status";

	/** The hash of open status streams per instance: field instance id, value {@code <count>|<epoch ms>}. */
	static final String STREAM_CENSUS = "order-status:streams";

	private OrderKeys() {
	}

	/** The idempotency record of {@code userId}'s {@code idempotencyKey}. */
	static String idempotency(long userId, String idempotencyKey) {
		return "idempotency:order:{" + userId + "}:" + idempotencyKey;
	}

	/** The status log (a Redis stream) of {@code orderId}. */
	static String statusLog(long orderId) {
		return "order-status:" + orderId;
	}

}
