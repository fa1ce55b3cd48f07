package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import com.example.flashsale.balance.UserLock;
import com.example.flashsale.order.OrderIdempotency.Claim;
import com.example.flashsale.order.OrderIdempotency.Claimed;
import com.example.flashsale.order.OrderIdempotency.Finished;
import com.example.flashsale.order.OrderIdempotency.Locked;
import com.example.flashsale.order.OrderIdempotency.Running;
import com.example.flashsale.order.OrderRequestValidator.ValidOrder;
import com.example.flashsale.order.OrderResult.Refused;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.ProductSoldOut;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * Places orders idempotently (docs/flows.md "Order and payment", steps 1-2): the {@code Idempotency-Key}
 * claim with the user's lock, in one Redis call ({@link OrderIdempotency}: a replay, 409 REQUEST_IN_PROGRESS
 * or 422 IDEMPOTENCY_KEY_REUSED end here; a lock held by another order or a charge: 409
 * REQUEST_IN_PROGRESS), then the
 * {@link OrderSaga}, whose answer is stored for replays. A refusal before any order existed is also
 * written to MySQL before it is answered ({@link OrderRefusals}). When Redis lost the key's record but the
 * database has the key's order or refusal, the answer comes from there ({@link #replayFromDatabase}). An
 * order of products this instance knows sold out is refused without the claim ({@link #refuseFromMemory}).
 */
@Service
class OrderPlacement {

	private static final Log logger = LogFactory.getLog(OrderPlacement.class);

	/** Refusals stored for replay; the others (in progress, key reused, unavailable) leave the key free. */
	private static final Set<ErrorCode> STORED = EnumSet.of(ErrorCode.PRODUCT_NOT_FOUND, ErrorCode.PRODUCT_NOT_AVAILABLE,
			ErrorCode.INSUFFICIENT_STOCK, ErrorCode.INVALID_COUPON, ErrorCode.INSUFFICIENT_BALANCE);

	private final OrderIdempotency idempotency;

	private final UserLock userLock;

	private final OrderSaga saga;

	private final OrderCompensation compensation;

	private final OrderRepository orders;

	private final OrderAnswers answers;

	private final OrderRefusals refusals;

	private final OrderProperties properties;

	private final OrderMetrics metrics;

	/** Meters of the startup warm-up's synthetic users ({@link WarmUpIdentity}), in a registry nobody reads. */
	private final OrderMetrics warmUpMetrics;

	private final Clock clock;

	private final ProductSoldOut soldOut;

	OrderPlacement(OrderIdempotency idempotency, UserLock userLock, OrderSaga saga, OrderCompensation compensation,
			OrderRepository orders, OrderAnswers answers, OrderRefusals refusals, OrderProperties properties,
			OrderMetrics metrics, Clock clock, ProductSoldOut soldOut) {
		this.soldOut = soldOut;
		this.idempotency = idempotency;
		this.userLock = userLock;
		this.saga = saga;
		this.compensation = compensation;
		this.orders = orders;
		this.answers = answers;
		this.refusals = refusals;
		this.properties = properties;
		this.metrics = metrics;
		this.warmUpMetrics = new OrderMetrics(new SimpleMeterRegistry());
		this.clock = clock;
	}

	/**
	 * Places an order for {@code userId}. Runs to its end even when the client hangs up.
	 * @return the answer to send (also for the stored business refusals: 402, 404, 409, 400 INVALID_COUPON);
	 * signals 409 REQUEST_IN_PROGRESS, 422 IDEMPOTENCY_KEY_REUSED, 404 USER_NOT_FOUND and backend faults
	 * before any order existed (503) as errors, leaving the key free for a retry
	 */
	Mono<OrderOutcome> place(long userId, String idempotencyKey, ValidOrder request) {
		return Mono.defer(() -> {
			long started = System.nanoTime();
			return RunToCompletion.of(() -> (this.soldOut.knowsSoldOut(request.lines())
					? refuseFromMemory(userId, idempotencyKey, request)
					: Mono.<OrderOutcome>empty())
				.switchIfEmpty(Mono.defer(() -> this.idempotency.claim(userId, idempotencyKey, request.requestHash())
					.flatMap((claim) -> answer(userId, idempotencyKey, request, claim)))))
				.doOnError(metrics(userId)::rejected)
				.doFinally((signal) -> metrics(userId).placement(System.nanoTime() - started));
		});
	}

	/**
	 * Every product of the order is known sold out ({@link ProductSoldOut}): the saga's 409
	 * INSUFFICIENT_STOCK, with no Redis call and no lock. It is recorded in MySQL as the key's answer, as
	 * the saga's is, in the group insert that skips a key with a refusal or an order: a key refused
	 * before answers its first refusal (or 422 for another body); a key with an order is left to the
	 * full path (empty), which replays the order's answer.
	 */
	private Mono<OrderOutcome> refuseFromMemory(long userId, String key, ValidOrder request) {
		Refused refused = new Refused(Inventory.outOfStock(), null);
		OrderOutcome refusal = this.answers.render(refused);
		return this.refusals.remember(userId, key, request.requestHash(), refusal).doOnNext((outcome) -> {
			if (outcome == refusal) {
				metrics(userId).result(refused);
			}
			else {
				metrics(userId).replayed();
			}
		});
	}

	private Mono<OrderOutcome> answer(long userId, String key, ValidOrder request, Claim claim) {
		if (claim instanceof Claimed claimed) {
			return runClaimed(userId, key, request, claimed);
		}
		if (claim instanceof Locked) {
			return Mono.error(OrderAnswers.accountBusy());
		}
		if (claim instanceof Running running) {
			if (!running.requestHash().equals(request.requestHash())) {
				return Mono.error(OrderAnswers.reused());
			}
			// a running record whose request already has its answer in MySQL: Redis lost the finish (a failover
			// to a replica that had not received it); the answer MySQL keeps is the one to replay
			return answeredInDatabase(userId, key, request.requestHash())
				.switchIfEmpty(Mono.error(OrderAnswers::inProgress));
		}
		Finished finished = (Finished) claim;
		if (!finished.requestHash().equals(request.requestHash())) {
			return Mono.error(OrderAnswers.reused());
		}
		metrics(userId).replayed();
		return Mono.just(finished.outcome());
	}

	/** Runs the saga holding the key's claim and the user's lock; finishing or abandoning the claim releases both. */
	private Mono<OrderOutcome> runClaimed(long userId, String key, ValidOrder request, Claimed claimed) {
		return this.saga.run(userId, key, request)
			.doOnNext(metrics(userId)::result)
			.map(this.answers::render)
			// the key already has an order: Redis lost its record
			.switchIfEmpty(Mono.defer(() -> replayFromDatabase(userId, key, request.requestHash())))
			.onErrorResume(ProblemException.class, (problem) -> {
				if (!STORED.contains(problem.code())) {
					return Mono.error(problem);
				}
				Refused refused = new Refused(problem, null);
				metrics(userId).result(refused);
				// kept in MySQL before it leaves: a replay after Redis lost the record must answer it again
				return this.refusals.remember(userId, key, request.requestHash(), this.answers.render(refused))
					// not expected: this request holds the key's claim, and the saga found no order with the key
					.switchIfEmpty(Mono.defer(() -> replayFromDatabase(userId, key, request.requestHash())));
			})
			.flatMap((outcome) -> this.idempotency.finish(claimed, outcome)
				.onErrorResume((ex) -> {
					logger.warn("Could not store the answer of order key " + key + " in Redis; the database keeps it: " + ex);
					return Mono.empty();
				})
				.thenReturn(outcome))
			.onErrorResume((ex) -> this.idempotency.abandon(claimed)
				.onErrorResume((abandonFailed) -> Mono.empty())
				.then(Mono.error(ex)))
			// not expected (the saga runs to completion), but a cancelled run must not keep the lock for its lease
			.doOnCancel(() -> this.userLock.release(claimed.lease()).subscribe());
	}

	/**
	 * The answer MySQL keeps for the key: the finished order's, or the refusal's; empty while the request runs
	 * (its order not finished, no refusal recorded).
	 */
	private Mono<OrderOutcome> answeredInDatabase(long userId, String key, String requestHash) {
		return this.orders.findByKey(userId, key)
			.filter((order) -> order.responseStatus() != null && order.requestHash().equals(requestHash))
			.map((order) -> new OrderOutcome(order.responseStatus(), order.responseBody().getBytes(StandardCharsets.UTF_8)))
			.switchIfEmpty(Mono.defer(() -> this.refusals.find(userId, key, requestHash)))
			.doOnNext((replayed) -> metrics(userId).replayed());
	}

	/** Redis lost the idempotency record but the database has the key's order: answer from the order. */
	private Mono<OrderOutcome> replayFromDatabase(long userId, String key, String requestHash) {
		Instant now = this.clock.instant();
		return this.orders.findByKey(userId, key)
			.flatMap((order) -> {
				if (!order.requestHash().equals(requestHash)) {
					return Mono.error(OrderAnswers.reused());
				}
				if (order.responseStatus() != null) {
					metrics(userId).replayed();
					return Mono.just(new OrderOutcome(order.responseStatus(),
							order.responseBody().getBytes(StandardCharsets.UTF_8)));
				}
				if (order.createdAt().isAfter(now.minus(this.properties.inFlightTtl()))) {
					return Mono.error(OrderAnswers.inProgress());
				}
				return this.compensation.leavePending(order.id()).doOnNext(metrics(userId)::result).map(this.answers::render);
			})
			// no order: the key was refused before any order existed
			.switchIfEmpty(Mono.defer(() -> this.refusals.find(userId, key, requestHash).doOnNext((replayed) -> metrics(userId).replayed())))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("order key " + key + " is taken but not found")));
	}

	private OrderMetrics metrics(long userId) {
		return WarmUpIdentity.isUser(userId) ? this.warmUpMetrics : this.metrics;
	}

}
