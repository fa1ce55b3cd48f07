package com.example.flashsale.order;

/**
 * What an order's status stream reports (docs/flows.md "Order status stream"): each {@link OrderStatus},
 * plus the informative outcomes of the data-platform delivery, which are not order statuses. The names
 * are the {@code status} of the SSE data and of the Redis status log ({@code order-status-publish.lua}
 * knows the same names).
 */
public enum OrderProgress {

	PENDING, PAID, FAILED, CANCELED,

	/** The data platform received the order's outbox event. */
	DATA_PLATFORM_SENT,

	/** The data platform refused the event every time until it was given up on. */
	DATA_PLATFORM_FAILED;

	/** The progress entry of an order status. */
	public static OrderProgress of(OrderStatus status) {
		return valueOf(status.name());
	}

	/** Whether this is an order status (not a delivery outcome). */
	public boolean isOrderStatus() {
		return ordinal() <= CANCELED.ordinal();
	}

	/** Orders the order statuses: PENDING 0, a final status 1, a delivery outcome -1. */
	int rank() {
		return !isOrderStatus() ? -1 : (this == PENDING) ? 0 : 1;
	}

}
