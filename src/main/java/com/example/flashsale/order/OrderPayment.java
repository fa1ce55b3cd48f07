package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.balance.BalancePayments;
import com.example.flashsale.coupon.CouponRedemption;
import com.example.flashsale.order.OrderRequestValidator.ValidOrder;
import com.example.flashsale.order.OrderResult.Paid;
import com.example.flashsale.order.OrderViews.Item;
import com.example.flashsale.order.OrderViews.Placed;
import com.example.flashsale.outbox.Outbox;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.support.db.DbErrors;
import com.example.flashsale.support.db.GroupCommit;
import com.example.flashsale.support.db.SqlBatch;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The payment of one order (docs/flows.md "Order and payment", step 6), at the committed prices. Coupon
 * USED, balance deducted conditionally (402 INSUFFICIENT_BALANCE), PAYMENT ledger row, payment row, outbox
 * event, order PAID with its stored answer, and last the conditional durable stock decrement, so a hot
 * product's row is locked only for that statement and the commit: one batch, one round trip.
 *
 * <p>In a crowd the batch goes with those of other orders in one transaction ({@link OrderGroups}), at the
 * quoted prices, which the stock decrement checks under the row lock. When that group rolls back (any
 * check of any of its orders failed, or a fault before its commit), or groups are off, the order is paid
 * alone: first at the quoted prices; if a price changed (or a product left sale) that attempt rolls back
 * and the next reads the committed prices first (the order is repriced if the catalogue cache was stale;
 * 409 PRODUCT_NOT_AVAILABLE if a product left sale). A deadlock victim (rolled back whole before its
 * commit) is run again. After the commit: the reservation record is dropped, the product cache evicted
 * and PAID published.
 */
@Component
class OrderPayment {

	private static final Log logger = LogFactory.getLog(OrderPayment.class);

	private final OrderRepository orders;

	private final CouponRedemption coupons;

	private final BalancePayments payments;

	private final Outbox outbox;

	private final Inventory inventory;

	private final ProductCatalog catalog;

	private final OrderStatusEvents statusEvents;

	private final OrderAnswers answers;

	private final JsonMapper json;

	private final TransactionalOperator transactional;

	private final OrderProperties properties;

	private final OrderMetrics metrics;

	private final OrderGroups groups;

	OrderPayment(OrderRepository orders, CouponRedemption coupons, BalancePayments payments, Outbox outbox,
			Inventory inventory, ProductCatalog catalog, OrderStatusEvents statusEvents, OrderAnswers answers,
			JsonMapper json, TransactionalOperator transactional, OrderProperties properties, OrderMetrics metrics,
			OrderGroups groups) {
		this.groups = groups;
		this.orders = orders;
		this.coupons = coupons;
		this.payments = payments;
		this.outbox = outbox;
		this.inventory = inventory;
		this.catalog = catalog;
		this.statusEvents = statusEvents;
		this.answers = answers;
		this.json = json;
		this.transactional = transactional;
		this.properties = properties;
		this.metrics = metrics;
	}

	/**
	 * What one order pays: the lines at their unit prices, the total, the coupon's discount (KRW, at most the
	 * total).
	 */
	record Payment(long userId, ValidOrder request, List<Item> items, long total, long couponDiscount, Instant now) {

		long discount() {
			return Math.min(this.couponDiscount, this.total);
		}

		long paid() {
			return this.total - discount();
		}

		/** The unit price of each line's product (product id to KRW), as quoted. */
		Map<Long, Long> prices() {
			Map<Long, Long> prices = new HashMap<>();
			for (Item item : this.items) {
				prices.put(item.productId(), item.unitPrice());
			}
			return prices;
		}

		/**
		 * This payment at {@code prices} (product id to unit price).
		 * @throws ProblemException 400 INVALID_REQUEST when the total leaves the range of a long
		 */
		Payment at(Map<Long, Long> prices) {
			List<Item> repriced = new ArrayList<>(this.items.size());
			long newTotal = 0;
			try {
				for (Item item : this.items) {
					long unitPrice = prices.getOrDefault(item.productId(), item.unitPrice());
					repriced.add(new Item(item.productId(), item.quantity(), unitPrice));
					newTotal = Math.addExact(newTotal, Math.multiplyExact(unitPrice, item.quantity()));
				}
			}
			catch (ArithmeticException ex) {
				throw ProblemException.invalid("The order total is out of range.");
			}
			return new Payment(this.userId, this.request, repriced, newTotal, this.couponDiscount, this.now);
		}

	}

	/**
	 * The data-platform event of a paid order (the outbox payload; docs/flows.md "After commit: the outbox relay"). Money in
	 * KRW.
	 */
	record OrderPaidEvent(long orderId, long userId, OrderStatus status, List<Item> items, long totalAmount,
			long discountAmount, long paidAmount, Long userCouponId, Instant paidAt) {
	}

	/** The outbox event types of the order feature. */
	enum EventType {

		/** An order was paid; its payload is an {@link OrderPaidEvent}. */
		ORDER_PAID

	}

	/**
	 * Pays for {@code orderId}: with the next payment group ({@link OrderGroups}) at the quoted prices,
	 * and alone when groups are off, the caller runs in a transaction of its own (a rehearsal), or its group
	 * was rolled back before its commit by a check of any of its orders (or a deadlock), so each order gets its
	 * own answer; a fault fails it as it would fail alone.
	 * @return {@link Paid}; a business refusal as a {@link ProblemException} (rolled back), a fault as
	 * {@link NotCommitted} (rolled back, nothing was charged) or {@link CommitUnknown} (the commit was sent:
	 * it may have happened)
	 */
	Mono<OrderResult> pay(long orderId, Payment quoted) {
		return this.groups.usable()
			.flatMap((grouped) -> grouped ? payInGroup(orderId, quoted) : payAlone(orderId, quoted));
	}

	/**
	 * Pays for {@code orderId} with the next payment group, or alone when its group was rolled back.
	 * @return as {@link #pay}
	 */
	private Mono<OrderResult> payInGroup(long orderId, Payment quoted) {
		List<Line> lines = quoted.request().lines();
		Map<Long, Long> prices = quoted.prices();
		List<OrderGroups.Take> takes = new ArrayList<>(lines.size());
		for (Line line : lines) {
			for (SqlBatch.Part take : this.inventory.takeDurableAt(List.of(line), prices, quoted.now(), PriceCheckFailed::new)) {
				takes.add(new OrderGroups.Take(line.productId(), take));
			}
		}
		return this.groups.pay(new OrderGroups.Member(writes(orderId, quoted), takes))
			.then(Mono.defer(() -> paidAndAfter(orderId, quoted)))
			.onErrorResume(GroupCommit.RolledBack.class, (ex) -> payAlone(orderId, quoted))
			.onErrorMap(GroupCommit.NotCommitted.class, (ex) -> new NotCommitted(ex.getCause()))
			.onErrorMap(GroupCommit.CommitUnknown.class, (ex) -> new CommitUnknown(ex.getCause()));
	}

	/**
	 * Pays for {@code orderId} in a transaction of its own.
	 * @return as {@link #pay}
	 */
	private Mono<OrderResult> payAlone(long orderId, Payment quoted) {
		List<Line> lines = quoted.request().lines();
		AtomicReference<Payment> charged = new AtomicReference<>(quoted);
		AtomicBoolean commitSent = new AtomicBoolean();
		// first at the quoted prices, checked by the stock decrement under the row lock; if that finds another
		// price (or a product off sale, or too little stock) the attempt rolls back and the next one reads the
		// prices MySQL has committed, not the cache's: a change whose cache eviction failed still counts
		AtomicBoolean readPrices = new AtomicBoolean();
		Mono<Void> work = Mono.defer(() -> {
			boolean read = readPrices.get();
			Mono<Map<Long, Long>> prices = read ? this.inventory.committedPrices(lines) : Mono.just(quoted.prices());
			return prices.flatMap((unitPrices) -> {
				Payment payment = read ? quoted.at(unitPrices) : quoted;
				charged.set(payment);
				// every write in one round trip (docs/architecture.md "One round trip for a payment"), the stock
				// decrement last; a repricing before it
				SqlBatch writes = new SqlBatch().addAll(writes(orderId, payment))
					.addAll(read ? this.inventory.takeDurable(lines, quoted.now())
							: this.inventory.takeDurableAt(lines, unitPrices, quoted.now(), PriceCheckFailed::new));
				return (payment.items().equals(quoted.items()) ? Mono.<Void>empty()
						: this.orders.reprice(orderId, payment.items(), payment.total(), payment.discount()))
					.then(this.orders.run(writes));
			});
		}).doOnSuccess((done) -> commitSent.set(true));
		Mono<Void> attempt = Mono.defer(() -> {
			long started = System.nanoTime();
			return work.as(this.transactional::transactional)
				.doFinally((signal) -> this.metrics.payment(System.nanoTime() - started));
		});
		return attempt
			// rolled back whole before its commit: run again, reading the committed prices this time
			.onErrorResume(PriceCheckFailed.class, (ex) -> {
				readPrices.set(true);
				return attempt;
			})
			// a deadlock victim was rolled back whole before its commit: running it again is safe
			.retryWhen(Retry.max(2).filter((ex) -> !commitSent.get() && DbErrors.is(ex, DbErrors.DEADLOCK)))
			.timeout(this.properties.paymentTimeout())
			.onErrorMap((ex) -> !(ex instanceof ProblemException),
					(ex) -> commitSent.get() ? new CommitUnknown(ex) : new NotCommitted(ex))
			.then(Mono.defer(() -> paidAndAfter(orderId, charged.get())));
	}

	/**
	 * The writes of {@code payment} before its stock decrements: the coupon's use, the balance deduction and
	 * its ledger row, the payment row, the outbox event and the order's move to PAID with its stored answer.
	 */
	private List<SqlBatch.Part> writes(long orderId, Payment payment) {
		long userId = payment.userId();
		Instant now = payment.now();
		Long userCouponId = payment.request().userCouponId();
		OrderOutcome answer = this.answers.render(paid(orderId, payment));
		String event = this.json.writeValueAsString(new OrderPaidEvent(orderId, userId, OrderStatus.PAID, payment.items(),
				payment.total(), payment.discount(), payment.paid(), userCouponId, now));
		List<SqlBatch.Part> writes = new ArrayList<>(7);
		if (userCouponId != null) {
			writes.add(this.coupons.useStatement(userId, userCouponId, orderId, now));
		}
		writes.addAll(this.payments.pay(userId, orderId, payment.paid(), now));
		writes.add(this.orders.insertPayment(orderId, payment.paid(), now));
		writes.add(this.outbox.append(orderId, EventType.ORDER_PAID.name(), event, now));
		writes.add(this.orders.markPaid(orderId, payment.paid(), answer.status(),
				new String(answer.body(), StandardCharsets.UTF_8), now,
				SqlBatch.Part.oneRowOrError(() -> new IllegalStateException("order " + orderId + " is no longer PENDING"))));
		return writes;
	}

	/** After the commit of {@code payment}: the reservation record, the product cache, PAID published; then the answer. */
	private Mono<OrderResult> paidAndAfter(long orderId, Payment payment) {
		return afterCommit(orderId, payment.request().lines())
			.doOnSuccess((done) -> this.statusEvents.publishDetached(orderId, OrderProgress.PAID, payment.now()))
			.then(Mono.fromSupplier(() -> paid(orderId, payment)));
	}

	private static OrderResult paid(long orderId, Payment payment) {
		return new Paid(new Placed(orderId, OrderStatus.PAID, payment.items(), payment.total(), payment.discount(),
				payment.paid()));
	}

	private Mono<Void> afterCommit(long orderId, List<Line> lines) {
		return this.inventory.confirm(orderId)
			.onErrorResume((ex) -> {
				logger.warn("Could not drop the reservation record of paid order " + orderId + ": " + ex);
				return Mono.empty();
			})
			.then(this.catalog.evictSold(lines.stream().map(Line::productId).toList()))
			.onErrorResume((ex) -> {
				logger.warn("Could not evict the product cache after order " + orderId + "; it expires by TTL: " + ex);
				return Mono.empty();
			});
	}

	/**
	 * The stock decrement at the quoted prices changed nothing (another committed price, a product off sale,
	 * or too little durable stock): the attempt rolls back and is run again from the committed prices.
	 */
	private static final class PriceCheckFailed extends RuntimeException {

		PriceCheckFailed() {
			super("the quoted prices are not the committed ones", null, false, false);
		}

	}

	/** The payment failed before its commit was sent: it was rolled back, nothing was charged. */
	static final class NotCommitted extends RuntimeException {

		NotCommitted(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** The payment failed once its commit was sent: whether it committed is unknown. */
	static final class CommitUnknown extends RuntimeException {

		CommitUnknown(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

}
