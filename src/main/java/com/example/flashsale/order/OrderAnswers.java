package com.example.flashsale.order;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.order.OrderResult.Paid;
import com.example.flashsale.order.OrderResult.Pending;
import com.example.flashsale.order.OrderResult.Refused;
import com.example.flashsale.order.OrderViews.PendingBody;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * The one place that turns order results into HTTP answers (docs/api.md "Orders"): a result becomes an
 * {@link OrderOutcome} (status and JSON bytes), which is stored with the order and in Redis and sent as it
 * is on the first answer and on every replay.
 */
@Component
class OrderAnswers {

	/** The path answers are rendered for (the problem {@code instance}). */
	static final String PATH = "/api/orders";

	private final ProblemWriter problems;

	private final JsonMapper json;

	OrderAnswers(ProblemWriter problems, JsonMapper json) {
		this.problems = problems;
		this.json = json;
	}

	/** The answer of {@code result}: 201 with the order, the problem (with the order id if any), or 202. */
	OrderOutcome render(OrderResult result) {
		if (result instanceof Paid paid) {
			return new OrderOutcome(201, this.json.writeValueAsBytes(paid.order()));
		}
		if (result instanceof Refused refused) {
			ProblemException problem = refused.problem();
			Map<String, Object> extra = new LinkedHashMap<>(problem.members());
			if (refused.orderId() != null) {
				extra.put("orderId", refused.orderId());
			}
			return new OrderOutcome(problem.code().status().value(),
					this.problems.render(problem.code(), problem.getMessage(), PATH, extra));
		}
		Pending pending = (Pending) result;
		return new OrderOutcome(202,
				this.json.writeValueAsBytes(new PendingBody(pending.orderId(), OrderStatus.PENDING)));
	}

	/**
	 * Sends a stored or fresh answer as it is: the same bytes on every replay. A stored 503 (a payment that
	 * failed before its commit) has no {@code Retry-After}: that order is FAILED, and a new attempt needs a
	 * new key.
	 */
	static Mono<ServerResponse> respond(OrderOutcome outcome) {
		return ServerResponse.status(outcome.status())
			.contentType(outcome.isProblem() ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON)
			.bodyValue(outcome.body());
	}

	/** 409 REQUEST_IN_PROGRESS: the same key's first request is still running. */
	static ProblemException inProgress() {
		return new ProblemException(ErrorCode.REQUEST_IN_PROGRESS,
				"A request with this Idempotency-Key is still running; retry when it has finished.");
	}

	/** 422 IDEMPOTENCY_KEY_REUSED: the key was used for another request body. */
	static ProblemException reused() {
		return new ProblemException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
				"This Idempotency-Key was used for a different request; use a new key for a new order.");
	}

	/** 409 REQUEST_IN_PROGRESS: another order or charge of the account holds its lock. */
	static ProblemException accountBusy() {
		return new ProblemException(ErrorCode.REQUEST_IN_PROGRESS,
				"Another order or charge of this account is in progress; retry when it has finished.");
	}

}
