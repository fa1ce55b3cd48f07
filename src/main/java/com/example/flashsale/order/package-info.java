/**
 * Orders and payment (docs/api.md "Orders", docs/flows.md "Order and payment", "Recovery of pending
 * orders", "Order status stream"): the idempotent {@code POST /api/orders} ({@code OrderPlacement}, the
 * {@code OrderSaga}, {@code OrderPayment}, {@code OrderCompensation}, {@code OrderAnswers}), the reads
 * ({@code OrderQueries}), the status stream, and the recovery of orders a fault left PENDING. Uses the
 * balance, coupon and product features through their services and the outbox to record events.
 *
 * <p>Owns the tables {@code orders}, {@code order_items}, {@code payments} and {@code order_refusals}; other features read what
 * orders sold through {@link com.example.flashsale.order.OrderSales}.
 */
@ApplicationModule(allowedDependencies = { "balance", "coupon", "product", "outbox", "waitingroom", "support :: *" })
package com.example.flashsale.order;

import org.springframework.modulith.ApplicationModule;
