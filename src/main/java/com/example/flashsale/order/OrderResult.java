package com.example.flashsale.order;

import com.example.flashsale.order.OrderViews.Placed;
import com.example.flashsale.support.problem.ProblemException;

/**
 * How an order placement ended (docs/flows.md "Order and payment"); {@link OrderAnswers} turns each into
 * the HTTP answer that is sent and stored for replays.
 */
sealed interface OrderResult {

	/** Paid and committed: 201 with the order. */
	record Paid(Placed order) implements OrderResult {
	}

	/**
	 * Refused for a business reason (402, 404, 409, 400 INVALID_COUPON), or failed before its payment
	 * committed (503, FAILED): nothing was charged.
	 * @param orderId the FAILED order, null when the refusal came before any order existed
	 */
	record Refused(ProblemException problem, Long orderId) implements OrderResult {
	}

	/** A system fault left the outcome unknown: 202, and the order waits for recovery. */
	record Pending(long orderId) implements OrderResult {
	}

}
