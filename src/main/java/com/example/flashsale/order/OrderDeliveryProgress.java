package com.example.flashsale.order;

import java.time.Instant;

import org.springframework.stereotype.Component;

import com.example.flashsale.outbox.Outbox;

/**
 * Shows the data-platform delivery of an order's outbox event on the order's status stream
 * ({@link OrderProgress#DATA_PLATFORM_SENT}, {@link OrderProgress#DATA_PLATFORM_FAILED}).
 */
@Component
class OrderDeliveryProgress implements Outbox.DeliveryListener {

	private final OrderStatusEvents statusEvents;

	OrderDeliveryProgress(OrderStatusEvents statusEvents) {
		this.statusEvents = statusEvents;
	}

	@Override
	public void delivered(long orderId, Instant at) {
		this.statusEvents.publishDetached(orderId, OrderProgress.DATA_PLATFORM_SENT, at);
	}

	@Override
	public void givenUp(long orderId, Instant at) {
		this.statusEvents.publishDetached(orderId, OrderProgress.DATA_PLATFORM_FAILED, at);
	}

}
