package com.example.flashsale.order;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.coupon.CouponRedemption;
import com.example.flashsale.order.OrderPayment.Payment;
import com.example.flashsale.order.OrderRepository.NewOrder;
import com.example.flashsale.order.OrderRequestValidator.ValidOrder;
import com.example.flashsale.order.OrderViews.Item;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.product.Product;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.product.ProductStatus;
import com.example.flashsale.support.db.DbErrors;
import com.example.flashsale.support.db.GroupCommit;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The placement saga of one order, run under its key's claim and its user's lock (docs/flows.md "Order
 * and payment", steps 3-7):
 * <ol>
 * <li>validation from the catalogue cache and the coupon (404 PRODUCT_NOT_FOUND, 409 PRODUCT_NOT_AVAILABLE,
 * 400 INVALID_COUPON), and a look at the sellable stock so a sold-out crowd is answered 409
 * INSUFFICIENT_STOCK from Redis alone;</li>
 * <li>the PENDING order with its items and unit-price snapshot (its unique key backs the idempotency
 * record), in a crowd with those of other orders ({@link OrderGroups});</li>
 * <li>the all-or-nothing reservation in Redis (409 INSUFFICIENT_STOCK: the order is FAILED);</li>
 * <li>the payment transaction ({@link OrderPayment}); a refusal or a fault before its commit is
 * compensated ({@link OrderCompensation}); a fault once the commit was sent leaves the order PENDING for
 * recovery (202).</li>
 * </ol>
 * Refusals before the order exists are signalled as {@link ProblemException}s; the saga is empty when the
 * key turns out to have an order already (Redis lost the key's record).
 */
@Component
class OrderSaga {

	private static final Log logger = LogFactory.getLog(OrderSaga.class);

	private final OrderRepository orders;

	private final ProductCatalog catalog;

	private final Inventory inventory;

	private final CouponRedemption coupons;

	private final OrderPayment payment;

	private final OrderCompensation compensation;

	private final TransactionalOperator transactional;

	private final OrderGroups groups;

	private final Clock clock;

	OrderSaga(OrderRepository orders, ProductCatalog catalog, Inventory inventory, CouponRedemption coupons,
			OrderPayment payment, OrderCompensation compensation,
			TransactionalOperator transactional, OrderGroups groups, Clock clock) {
		this.groups = groups;
		this.orders = orders;
		this.catalog = catalog;
		this.inventory = inventory;
		this.coupons = coupons;
		this.payment = payment;
		this.compensation = compensation;
		this.transactional = transactional;
		this.clock = clock;
	}

	/**
	 * Runs the saga of {@code request} for {@code userId} with {@code key}.
	 * @return the result; a refusal before any order existed as a {@link ProblemException}; empty when the
	 * key already has an order
	 */
	Mono<OrderResult> run(long userId, String key, ValidOrder request) {
		Instant now = this.clock.instant();
		List<Line> lines = request.lines();
		return Flux.fromIterable(lines)
			.flatMapSequential((line) -> this.catalog.findOffer(line.productId()))
			.collectList()
			.flatMap((products) -> {
				for (Product product : products) {
					if (product.status() != ProductStatus.ACTIVE) {
						return Mono.error(new ProblemException(ErrorCode.PRODUCT_NOT_AVAILABLE,
								"Product " + product.id() + " is not on sale."));
					}
				}
				return this.inventory.looksAvailable(lines)
					.flatMap((available) -> available ? discountOf(userId, request.userCouponId(), now)
							: Mono.error(Inventory.outOfStock()))
					.map((discount) -> Optional.of(new Checked(products, discount)));
			})
			// a refusal before the order exists is the key's answer only if the key has no order yet: Redis may
			// have lost the record of an order placed with it (whose coupon is now used, whose stock is sold)
			.onErrorResume(ProblemException.class, (refusal) -> this.orders.findByKey(userId, key)
				.map((order) -> Optional.<Checked>empty())
				.switchIfEmpty(Mono.error(refusal)))
			.flatMap((checked) -> checked.isPresent()
					? order(userId, key, request, checked.get().products(), checked.get().discount(), now)
					: Mono.empty());
	}

	/** The products of an order's lines (same order) and its coupon's discount, checked. */
	private record Checked(List<Product> products, long discount) {
	}

	private Mono<Long> discountOf(long userId, Long userCouponId, Instant now) {
		return (userCouponId != null) ? this.coupons.discountOf(userId, userCouponId, now) : Mono.just(0L);
	}

	private Mono<OrderResult> order(long userId, String key, ValidOrder request, List<Product> products,
			long couponDiscount, Instant now) {
		List<Item> items = new ArrayList<>(products.size());
		long total = 0;
		try {
			for (int i = 0; i < products.size(); i++) {
				Line line = request.lines().get(i);
				long unitPrice = products.get(i).price();
				items.add(new Item(line.productId(), line.quantity(), unitPrice));
				total = Math.addExact(total, Math.multiplyExact(unitPrice, line.quantity()));
			}
		}
		catch (ArithmeticException ex) {
			return Mono.error(ProblemException.invalid("The order total is out of range."));
		}
		Payment payment = new Payment(userId, request, items, total, couponDiscount, now);
		NewOrder pending = new NewOrder(userId, key, request.requestHash(), payment.items(), payment.total(),
				payment.discount(), request.userCouponId(), now);
		// with the next group of PENDING inserts; alone when groups are off, the caller runs in a transaction of
		// its own, or a check rolled its group back
		Mono<Long> inserted = this.groups.usable()
			.flatMap((grouped) -> grouped ? this.groups.insertPending(pending)
				.onErrorResume(GroupCommit.RolledBack.class, (ex) -> insertAlone(pending)) : insertAlone(pending));
		// a key refused before (its Redis record lost since) is taken: the refusal is its answer for good (the
		// insert checks it in the same statement)
		return inserted.switchIfEmpty(Mono.error(() -> new DuplicateKeyException("key " + key + " was refused")))
			.map(Optional::of)
			.onErrorResume(DuplicateKeyException.class, (ex) -> Mono.just(Optional.empty()))
			.onErrorMap((ex) -> DbErrors.is(ex, DbErrors.MISSING_PARENT_ROW), (ex) -> new ProblemException(
					ErrorCode.USER_NOT_FOUND, "User " + userId + " has no account; an admin creates it."))
			.onErrorResume((ex) -> !(ex instanceof ProblemException), (ex) -> insertedAnyway(userId, key, request, ex))
			.flatMap((orderId) -> orderId.isPresent() ? reserveAndPay(orderId.get(), payment) : Mono.empty());
	}

	/** Inserts {@code order} PENDING in a transaction of its own. */
	private Mono<Long> insertAlone(NewOrder order) {
		return this.orders.insertPending(order)
			.as(this.transactional::transactional)
			// its look for a refusal and a group of refusals' look for orders lock each other's gaps: the deadlock
			// victim was rolled back whole before its commit, so running it again is safe
			.retryWhen(DbErrors.deadlockRetry());
	}

	/**
	 * The insert failed without saying why (a lost reply may hide a commit): if this request's PENDING order
	 * is there after all, go on with it, since this request holds its key and its user's lock; otherwise
	 * the original failure stands (503, the key is freed).
	 */
	private Mono<Optional<Long>> insertedAnyway(long userId, String key, ValidOrder request, Throwable failure) {
		return this.orders.findByKey(userId, key)
			.filter((order) -> order.requestHash().equals(request.requestHash()) && order.status() == OrderStatus.PENDING
					&& order.responseStatus() == null)
			.map((order) -> Optional.of(order.id()))
			.onErrorResume((lookupFailed) -> Mono.empty())
			.switchIfEmpty(Mono.error(failure));
	}

	private Mono<OrderResult> reserveAndPay(long orderId, Payment payment) {
		List<Line> lines = payment.request().lines();
		return this.inventory.reserve(orderId, lines)
			.onErrorMap((ex) -> !(ex instanceof ProblemException), ReservationUnknown::new)
			.then(Mono.defer(() -> this.payment.pay(orderId, payment)))
			.onErrorResume(ProblemException.class,
					(problem) -> this.compensation.fail(orderId, lines, problem, problem.code().name()))
			.onErrorResume(OrderPayment.NotCommitted.class, (ex) -> {
				logger.warn("Payment of order " + orderId + " failed before its commit; the order fails: " + ex.getCause());
				return this.compensation.fail(orderId, lines, new ProblemException(ErrorCode.SERVICE_UNAVAILABLE, "Order "
						+ orderId + " could not be paid because a backing service failed; nothing was charged. "
						+ "Place it again with a new Idempotency-Key."), OrderCompensation.SYSTEM_ERROR);
			})
			.onErrorResume(OrderPayment.CommitUnknown.class, (ex) -> {
				logger.warn("Commit outcome of order " + orderId + " unknown; left PENDING for recovery: " + ex.getCause());
				return this.compensation.leavePending(orderId);
			})
			.onErrorResume(ReservationUnknown.class, (ex) -> {
				logger.warn("Stock reservation of order " + orderId + " failed; the order is left PENDING for recovery: "
						+ ex.getCause());
				return this.compensation.leavePending(orderId);
			});
	}

	/** The reservation's outcome is unknown: the script may or may not have run. */
	private static final class ReservationUnknown extends RuntimeException {

		ReservationUnknown(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

}
