package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.order.OrderResult.Pending;
import com.example.flashsale.order.OrderResult.Refused;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Ends an order whose payment did not happen (docs/flows.md "Order and payment", compensation): its
 * reserved stock goes back, it becomes FAILED with its reason, and the problem (with the order id) is the
 * answer; or, when even that cannot be done, it is left PENDING for the recovery job (202).
 */
@Component
class OrderCompensation {

	private static final Log logger = LogFactory.getLog(OrderCompensation.class);

	/** The failure reason of an order whose payment a system fault stopped before its commit. */
	static final String SYSTEM_ERROR = "SYSTEM_ERROR";

	private final Inventory inventory;

	private final OrderRepository orders;

	private final OrderAnswers answers;

	private final OrderStatusEvents statusEvents;

	private final Clock clock;

	OrderCompensation(Inventory inventory, OrderRepository orders, OrderAnswers answers, OrderStatusEvents statusEvents,
			Clock clock) {
		this.inventory = inventory;
		this.orders = orders;
		this.answers = answers;
		this.statusEvents = statusEvents;
		this.clock = clock;
	}

	/**
	 * Gives the reservation of {@code orderId} back and records the order FAILED with {@code reason} (an
	 * error code name, or {@link #SYSTEM_ERROR}) and the answer, published to its status streams.
	 * @return {@link Refused} with {@code problem}; {@link Pending} when the compensation itself failed
	 */
	Mono<OrderResult> fail(long orderId, List<Line> lines, ProblemException problem, String reason) {
		Refused refused = new Refused(problem, orderId);
		OrderOutcome outcome = this.answers.render(refused);
		return this.inventory.release(orderId, lines)
			.then(Mono.defer(() -> {
				Instant at = this.clock.instant();
				return this.orders
					.markFailed(orderId, reason, outcome.status(), new String(outcome.body(), StandardCharsets.UTF_8), at)
					.doOnSuccess((failed) -> {
						if (Boolean.TRUE.equals(failed)) {
							this.statusEvents.publishDetached(orderId, OrderProgress.FAILED, at);
						}
					});
			}))
			.<OrderResult>thenReturn(refused)
			.onErrorResume((ex) -> {
				logger.warn("Could not compensate order " + orderId + "; left PENDING for recovery: " + ex);
				return leavePending(orderId);
			});
	}

	/** Leaves {@code orderId} PENDING for recovery (202); its status is published for the order's streams. */
	Mono<OrderResult> leavePending(long orderId) {
		this.statusEvents.publishDetached(orderId, OrderProgress.PENDING, this.clock.instant());
		return Mono.just(new Pending(orderId));
	}

}
