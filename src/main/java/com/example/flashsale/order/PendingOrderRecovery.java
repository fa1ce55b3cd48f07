package com.example.flashsale.order;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.balance.BalancePayments;
import com.example.flashsale.coupon.CouponRedemption;
import com.example.flashsale.order.OrderRepository.PendingOrder;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.support.config.TransactionConfig;
import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.reactor.RunToCompletion;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * Compensates orders a system fault left PENDING (docs/flows.md "Recovery of pending orders").
 * Every {@code app.orders.recovery.interval} (10 s) it takes PENDING orders older than {@code min-age}
 * (1 min) and, for each, in one transaction:
 * <ol>
 * <li>locks the order row with {@code FOR UPDATE SKIP LOCKED} and checks it still is PENDING: another
 * instance compensating it at the same moment is skipped, one that finished is seen CANCELED;</li>
 * <li>refunds what it paid, if money moved (a PAYMENT row not yet refunded: a REFUND row and the credit);
 * if the payment committed, its units go back on the durable stock;</li>
 * <li>puts its coupon back to AVAILABLE if this order used it;</li>
 * <li>gives its Redis reservation back (at most once, by the reservation record) when the payment never
 * committed: MySQL stock never moved, so only the sellable stock had been taken;</li>
 * <li>marks it CANCELED with reason {@code RECOVERED_AFTER_SYSTEM_ERROR}.</li>
 * </ol>
 * After the commit: a refunded payment's sellable stock is restored, the product cache evicted, and
 * CANCELED is published to the order's status streams. So each order is compensated exactly once, with
 * several instances running the job at once; as a one-instance {@link BackgroundJob} it also takes a lock
 * so they do not do the same work twice. Counter {@code orders.recovered}.
 */
@Component
class PendingOrderRecovery extends BackgroundJob {

	private static final Log logger = LogFactory.getLog(PendingOrderRecovery.class);

	/** The failure reason of a recovered order. */
	static final String REASON = "RECOVERED_AFTER_SYSTEM_ERROR";

	private final OrderRepository orders;

	private final BalancePayments payments;

	private final CouponRedemption coupons;

	private final Inventory inventory;

	private final ProductCatalog catalog;

	private final OrderStatusEvents statusEvents;

	private final TransactionalOperator transactional;

	private final OrderProperties.Recovery properties;

	private final Clock clock;

	private final Counter recovered;

	PendingOrderRecovery(OrderRepository orders, BalancePayments payments, CouponRedemption coupons, Inventory inventory,
			ProductCatalog catalog, OrderStatusEvents statusEvents, @Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional,
			SingleRunJobs jobs, OrderProperties properties, Clock clock, MeterRegistry meters) {
		super(jobs);
		this.orders = orders;
		this.payments = payments;
		this.coupons = coupons;
		this.inventory = inventory;
		this.catalog = catalog;
		this.statusEvents = statusEvents;
		this.transactional = transactional;
		this.properties = properties.recovery();
		this.clock = clock;
		this.recovered = Counter.builder("orders.recovered")
			.description("PENDING orders compensated and CANCELED by the recovery job")
			.register(meters);
	}

	/**
	 * One pass: compensates up to {@code batch} PENDING orders created more than {@code minAge} ago.
	 * Safe to run concurrently with itself, on one instance or several.
	 * @return how many orders this pass CANCELED
	 */
	Mono<Long> recover(Duration minAge) {
		Instant cutoff = this.clock.instant().minus(minAge);
		return this.orders.pendingBefore(cutoff, this.properties.batch())
			.concatMap((orderId) -> compensate(orderId).onErrorResume((ex) -> {
				logger.warn("Could not compensate PENDING order " + orderId + "; retrying next run: " + ex);
				return Mono.just(false);
			}))
			.filter(Boolean::booleanValue)
			.count();
	}

	/**
	 * Compensates one order if it still is PENDING and no one else holds it.
	 * @return true when this call CANCELED it
	 */
	Mono<Boolean> compensate(long orderId) {
		Instant now = this.clock.instant();
		// runs to its end even if the job is stopped meanwhile: stopping never cuts a compensation short
		return RunToCompletion.of(() -> this.orders.lockPending(orderId)
				.flatMap((order) -> this.orders.findItems(orderId)
					.map((item) -> new Line(item.productId(), item.quantity()))
					.collectList()
					.flatMap((lines) -> undo(order, lines, now)
						.map((paymentCommitted) -> new Undone(orderId, lines, paymentCommitted))))
				.as(this.transactional::transactional))
			.flatMap((undone) -> afterCommit(undone, now).thenReturn(true))
			.defaultIfEmpty(false);
	}

	/** What a committed compensation leaves to do outside the transaction. */
	private record Undone(long orderId, List<Line> lines, boolean paymentCommitted) {
	}

	/** The transaction's work; true when the order's payment had committed (and was refunded). */
	private Mono<Boolean> undo(PendingOrder order, List<Line> lines, Instant now) {
		long orderId = order.id();
		Mono<Boolean> coupon = (order.userCouponId() != null) ? this.coupons.restore(order.userCouponId(), orderId)
				: Mono.just(false);
		return this.orders.hasPayment(orderId).flatMap((paymentCommitted) -> this.payments
			.refund(order.userId(), orderId, now)
			.then(paymentCommitted ? this.inventory.restoreDurable(lines, now)
					// MySQL stock never moved: only the reservation in Redis is given back (at most once)
					: this.inventory.release(orderId, lines).then())
			.then(coupon)
			.then(this.orders.markCanceled(orderId, REASON, now))
			.flatMap((canceled) -> canceled ? Mono.just(paymentCommitted)
					: Mono.error(new IllegalStateException("order " + orderId + " left PENDING under its lock"))));
	}

	private Mono<Void> afterCommit(Undone undone, Instant now) {
		long orderId = undone.orderId();
		this.recovered.increment();
		logger.info("Recovered PENDING order " + orderId + ": CANCELED" + (undone.paymentCommitted() ? ", payment refunded" : ""));
		this.statusEvents.publishDetached(orderId, OrderProgress.CANCELED, now);
		Mono<Void> sellable = undone.paymentCommitted() ? this.inventory.restoreSellable(orderId, undone.lines())
				: Mono.empty();
		return sellable.then(this.catalog.evict(undone.lines().stream().map(Line::productId).toList()))
			.onErrorResume((ex) -> {
				logger.warn("Order " + orderId + " is CANCELED but its sellable stock or cache was not updated: " + ex);
				return Mono.empty();
			});
	}

	@Override
	protected Schedule schedule() {
		return Schedule.oneInstance("pending-order-recovery", this.properties.interval(), this.properties.interval(),
				this.properties.interval().multipliedBy(6));
	}

	@Override
	protected Mono<Long> runOnce() {
		return recover(this.properties.minAge());
	}

}
