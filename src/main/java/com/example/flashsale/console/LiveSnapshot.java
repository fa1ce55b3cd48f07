package com.example.flashsale.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.example.flashsale.coupon.CouponLive;
import com.example.flashsale.order.OrderStatus;
import com.example.flashsale.outbox.Outbox;
import com.example.flashsale.product.ProductLive;
import com.example.flashsale.waitingroom.RoomView;

/**
 * One second of a live sale as {@code /api/admin/live} sends it (docs/operations.md "Operator console").
 * Counts are cumulative; the console derives rates per second from two snapshots.
 *
 * @param coupons the events open now or closed within the last day, newest first
 * @param products the active products by id with durable, sellable and reserved stock
 * @param orders orders by status
 * @param outbox outbox events by status and the oldest one's wait
 * @param streams order status streams open across every instance
 * @param rooms the open waiting rooms with their queue lengths and admissions
 */
record LiveSnapshot(Instant at, List<CouponLive> coupons, List<ProductLive> products, Map<OrderStatus, Long> orders,
		Outbox.Backlog outbox, long streams, List<RoomView> rooms) {
}
