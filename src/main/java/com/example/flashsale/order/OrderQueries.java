package com.example.flashsale.order;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import com.example.flashsale.order.OrderViews.OrderView;
import com.example.flashsale.order.OrderViews.ProductSales;
import com.example.flashsale.product.ProductStock;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/** The reads of the order feature (docs/api.md "Orders" and "Admin"): a caller's order, a product's sales. */
@Service
class OrderQueries {

	private final OrderRepository orders;

	private final ProductStock stock;

	OrderQueries(OrderRepository orders, ProductStock stock) {
		this.orders = orders;
		this.stock = stock;
	}

	/**
	 * The caller's order.
	 * @return the order; 404 ORDER_NOT_FOUND when it does not exist or is another user's
	 */
	Mono<OrderView> find(long orderId, long userId) {
		return this.orders.findForUser(orderId, userId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.ORDER_NOT_FOUND,
					"Order " + orderId + " does not exist.")));
	}

	/**
	 * What orders did to a product, for operators: its stock levels from the product feature, the order
	 * counts from the order tables.
	 * @return the sales; 404 PRODUCT_NOT_FOUND when the product does not exist
	 */
	Mono<ProductSales> sales(long productId) {
		return this.stock.levels(productId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")))
			.zipWith(this.orders.salesOf(productId), (levels, sales) -> new ProductSales(productId, levels.durable(),
					levels.sellable(), sales.paidOrders(), sales.paidQuantity(), sales.pendingOrders()));
	}

}
