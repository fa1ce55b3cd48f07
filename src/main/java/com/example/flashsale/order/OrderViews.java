package com.example.flashsale.order;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** The JSON shapes of the order API (docs/api.md "Orders"). Money in KRW. */
final class OrderViews {

	private OrderViews() {
	}

	/**
	 * The body of {@code POST /api/orders}.
	 * @param items the lines, 1..{@code app.orders.max-lines}, each product at most once
	 * @param userCouponId a coupon of the caller's to apply, or null
	 */
	record OrderRequest(@NotNull List<@NotNull @Valid RequestItem> items, @Schema(nullable = true) Long userCouponId) {
	}

	/** A requested line: a product and how many, 1..{@code app.orders.max-quantity}. */
	record RequestItem(@NotNull Long productId, @NotNull Integer quantity) {
	}

	/** A line of an order with the unit price it was sold at (the price snapshot of docs/domain.md "Orders"). */
	record Item(long productId, int quantity, long unitPrice) {
	}

	/** The 201 body of a paid order. */
	record Placed(long orderId, OrderStatus status, List<Item> items, long totalAmount, long discountAmount,
			long paidAmount) {
	}

	/** The 202 body of an order a system fault left for recovery. */
	record PendingBody(long orderId, OrderStatus status) {
	}

	/** {@code GET /api/orders/{orderId}}: the order as it is now. */
	record OrderView(long orderId, OrderStatus status, List<Item> items, long totalAmount, long discountAmount,
			long paidAmount, @Schema(nullable = true) Long userCouponId, @Schema(nullable = true) String failureReason, Instant createdAt,
			Instant updatedAt) {
	}

	/**
	 * {@code GET /api/admin/products/{id}/sales}: what orders did to one product.
	 * @param stock the durable stock in MySQL
	 * @param sellableStock the stock in Redis orders reserve from (durable minus reservations in flight)
	 * @param paidOrders PAID orders with the product
	 * @param paidQuantity units sold by PAID orders
	 * @param pendingOrders PENDING orders with the product (in flight, or waiting for recovery)
	 */
	record ProductSales(long productId, long stock, @Schema(nullable = true) Long sellableStock, long paidOrders, long paidQuantity,
			long pendingOrders) {
	}

}
