package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.balance.BalancePayments;
import com.example.flashsale.coupon.CouponRedemption;
import com.example.flashsale.order.OrderIdempotency.Claim;
import com.example.flashsale.order.OrderIdempotency.Claimed;
import com.example.flashsale.order.OrderIdempotency.Finished;
import com.example.flashsale.order.OrderIdempotency.Running;
import com.example.flashsale.order.OrderViews.Item;
import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.order.OrderViews.OrderView;
import com.example.flashsale.order.OrderViews.Pending;
import com.example.flashsale.order.OrderViews.Placed;
import com.example.flashsale.order.OrderViews.ProductSales;
import com.example.flashsale.order.OrderViews.RequestItem;
import com.example.flashsale.product.Inventory;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.product.Product;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.product.ProductStatus;
import com.example.flashsale.product.ProductStock;
import com.example.flashsale.support.db.DbErrors;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.problem.ProblemWriter;
import com.example.flashsale.support.reactor.RunToCompletion;
import com.example.flashsale.user.UserLock;

/**
 * Places and reads orders (SPEC section 4 "Order and payment"; seeds 000, 001, 004 scenarios 4-1 to 4-5
 * and 6-1). {@link #place} runs, in this order:
 * <ol>
 * <li>the Idempotency-Key claim ({@link OrderIdempotency}): replay, 409 REQUEST_IN_PROGRESS or 422
 * IDEMPOTENCY_KEY_REUSED end here;</li>
 * <li>the user's lock ({@link UserLock}; held by another order or a charge: 409 REQUEST_IN_PROGRESS);</li>
 * <li>validation from the catalogue cache and the coupon (404 PRODUCT_NOT_FOUND, 409
 * PRODUCT_NOT_AVAILABLE, 400 INVALID_COUPON), and a look at the sellable stock so a sold-out crowd is
 * answered 409 INSUFFICIENT_STOCK from Redis alone, without touching MySQL;</li>
 * <li>the PENDING order with its items and unit-price snapshot (its unique key backs the idempotency
 * record);</li>
 * <li>the all-or-nothing reservation in Redis (409 INSUFFICIENT_STOCK: the order is FAILED);</li>
 * <li>one transaction: coupon USED, balance deducted conditionally (402 INSUFFICIENT_BALANCE), PAYMENT
 * ledger row, payment row, outbox event, order PAID, and last the conditional durable stock decrement, so
 * a hot product's row is locked only for that statement and the commit;</li>
 * <li>after the commit: the reservation confirmed, the product cache evicted, 201.</li>
 * </ol>
 * A business failure in the transaction (or a fault before its commit was sent) rolls it back, gives the
 * reservation back and records the order FAILED with its reason; a fault once the commit was sent leaves
 * the outcome unknown: 202 PENDING, and the order waits for the recovery job. Every answer given once an
 * order exists is stored with the order and in Redis and replayed byte for byte.
 */
@Service
class OrderService {

	private static final Log logger = LogFactory.getLog(OrderService.class);

	/** The path answers are rendered for (the problem {@code instance}). */
	static final String PATH = "/api/orders";

	/** The longest accepted Idempotency-Key. */
	static final int MAX_KEY_LENGTH = 255;

	/** The outbox event type of a paid order (seed 003's ORDER_HISTORY_EVENT). */
	static final String ORDER_PAID = "ORDER_PAID";

	/** The failure reason of an order whose payment a system fault stopped before its commit. */
	static final String SYSTEM_ERROR = "SYSTEM_ERROR";

	/** Answers stored for replay; the others (in progress, key reused, unavailable) leave the key free. */
	private static final Set<ErrorCode> STORED = EnumSet.of(ErrorCode.PRODUCT_NOT_FOUND, ErrorCode.PRODUCT_NOT_AVAILABLE,
			ErrorCode.INSUFFICIENT_STOCK, ErrorCode.INVALID_COUPON, ErrorCode.INSUFFICIENT_BALANCE);

	private final OrderRepository orders;

	private final OrderIdempotency idempotency;

	private final UserLock userLock;

	private final ProductCatalog catalog;

	private final ProductStock stock;

	private final Inventory inventory;

	private final CouponRedemption coupons;

	private final BalancePayments payments;

	private final TransactionalOperator transactional;

	private final ProblemWriter problems;

	private final JsonMapper json;

	private final OrderProperties properties;

	private final OrderStatusEvents statusEvents;

	private final Clock clock;

	OrderService(OrderRepository orders, OrderIdempotency idempotency, UserLock userLock, ProductCatalog catalog,
			ProductStock stock, Inventory inventory, CouponRedemption coupons, BalancePayments payments,
			TransactionalOperator transactional, ProblemWriter problems, JsonMapper json, OrderProperties properties,
			OrderStatusEvents statusEvents, Clock clock) {
		this.orders = orders;
		this.idempotency = idempotency;
		this.userLock = userLock;
		this.catalog = catalog;
		this.stock = stock;
		this.inventory = inventory;
		this.coupons = coupons;
		this.payments = payments;
		this.transactional = transactional;
		this.problems = problems;
		this.json = json;
		this.properties = properties;
		this.statusEvents = statusEvents;
		this.clock = clock;
		sha256();
	}

	/**
	 * A checked order request.
	 * @param lines the lines by product id
	 * @param requestHash SHA-256 (hex) of the canonical request: lines sorted by product, and the coupon
	 */
	record ValidRequest(List<Line> lines, Long userCouponId, String requestHash) {
	}

	/**
	 * Checks the {@code Idempotency-Key} header value.
	 * @throws ProblemException 400 INVALID_REQUEST when missing, empty, longer than 255 or not printable ASCII
	 * without spaces (keys compare byte for byte, case-sensitive, in Redis and in the database alike)
	 */
	static String checkKey(String key) {
		if (key == null || key.isEmpty()) {
			throw ProblemException.invalid("The Idempotency-Key header is required.");
		}
		if (key.length() > MAX_KEY_LENGTH) {
			throw ProblemException.invalid("The Idempotency-Key header is longer than " + MAX_KEY_LENGTH + " characters.");
		}
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c < 0x21 || c > 0x7e) {
				throw ProblemException.invalid("The Idempotency-Key header must be printable ASCII without spaces.");
			}
		}
		return key;
	}

	/**
	 * Checks an order body: 1..max-lines lines, positive product ids, quantities 1..max-quantity, each
	 * product at most once (a repeated product is refused, not merged), a positive coupon id if any.
	 * @throws ProblemException 400 INVALID_REQUEST naming the first problem
	 */
	ValidRequest validate(OrderRequest request) {
		List<RequestItem> items = request.items();
		if (items.isEmpty() || items.size() > this.properties.maxLines()) {
			throw ProblemException.invalid("An order has 1 to " + this.properties.maxLines() + " items, got " + items.size() + ".");
		}
		List<Line> lines = new ArrayList<>(items.size());
		Set<Long> seen = new HashSet<>();
		for (RequestItem item : items) {
			if (item.productId() <= 0) {
				throw ProblemException.invalid("items[].productId must be a positive integer, got " + item.productId() + ".");
			}
			if (item.quantity() < 1 || item.quantity() > this.properties.maxQuantity()) {
				throw ProblemException.invalid("items[].quantity must be 1 to " + this.properties.maxQuantity() + ", got "
						+ item.quantity() + " for product " + item.productId() + ".");
			}
			if (!seen.add(item.productId())) {
				throw ProblemException.invalid("Product " + item.productId() + " appears in more than one item; "
						+ "order it once with the total quantity.");
			}
			lines.add(new Line(item.productId(), item.quantity()));
		}
		Long coupon = request.userCouponId();
		if (coupon != null && coupon <= 0) {
			throw ProblemException.invalid("userCouponId must be a positive integer, got " + coupon + ".");
		}
		// product id order everywhere (items, row locks, the answer): two orders then take the product rows'
		// locks (the items' foreign-key checks, the stock decrements) in one order and never deadlock
		lines.sort((a, b) -> Long.compare(a.productId(), b.productId()));
		StringBuilder canonical = new StringBuilder("v1;");
		lines.forEach((line) -> canonical.append(line.productId()).append(':').append(line.quantity()).append(','));
		canonical.append(";coupon=").append(coupon);
		String hash = HexFormat.of().formatHex(sha256().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
		return new ValidRequest(List.copyOf(lines), coupon, hash);
	}

	/**
	 * Places an order for {@code userId} (see the class comment for the steps). Runs to its end even when
	 * the client hangs up.
	 * @return the answer to send (also for the stored business failures: 402, 404, 409, 400 INVALID_COUPON);
	 * signals 409 REQUEST_IN_PROGRESS, 422 IDEMPOTENCY_KEY_REUSED, 404 USER_NOT_FOUND and backend faults
	 * before any order existed (503) as errors, leaving the key free for a retry
	 */
	Mono<OrderOutcome> place(long userId, String idempotencyKey, ValidRequest request) {
		return RunToCompletion.of(() -> this.idempotency.claim(userId, idempotencyKey, request.requestHash())
			.flatMap((claim) -> answer(userId, idempotencyKey, request, claim)));
	}

	private Mono<OrderOutcome> answer(long userId, String key, ValidRequest request, Claim claim) {
		if (claim instanceof Claimed claimed) {
			return runClaimed(userId, key, request, claimed);
		}
		if (claim instanceof Running running) {
			return Mono.error(running.requestHash().equals(request.requestHash()) ? inProgress() : reused());
		}
		Finished finished = (Finished) claim;
		return finished.requestHash().equals(request.requestHash()) ? Mono.just(finished.outcome())
				: Mono.error(reused());
	}

	private Mono<OrderOutcome> runClaimed(long userId, String key, ValidRequest request, Claimed claimed) {
		return this.userLock.withLock(userId, () -> new ProblemException(ErrorCode.REQUEST_IN_PROGRESS,
				"Another order or charge of this account is in progress; retry when it has finished."),
				(lease) -> decide(userId, key, request))
			.onErrorResume(ProblemException.class,
					(problem) -> STORED.contains(problem.code()) ? Mono.just(outcome(problem, Map.of())) : Mono.error(problem))
			.flatMap((outcome) -> this.idempotency.finish(claimed, outcome)
				.onErrorResume((ex) -> {
					logger.warn("Could not store the answer of order key " + key + " in Redis; the database keeps it: " + ex);
					return Mono.empty();
				})
				.thenReturn(outcome))
			.onErrorResume((ex) -> this.idempotency.abandon(claimed)
				.onErrorResume((abandonFailed) -> Mono.empty())
				.then(Mono.error(ex)));
	}

	private Mono<OrderOutcome> decide(long userId, String key, ValidRequest request) {
		Instant now = this.clock.instant();
		List<Line> lines = request.lines();
		return Flux.fromIterable(lines)
			.flatMapSequential((line) -> this.catalog.find(line.productId()))
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
					: replayFromDatabase(userId, key, request.requestHash(), now));
	}

	/** The products of an order's lines (same order) and its coupon's discount, checked. */
	private record Checked(List<Product> products, long discount) {
	}

	private Mono<Long> discountOf(long userId, Long userCouponId, Instant now) {
		return (userCouponId != null) ? this.coupons.discountOf(userId, userCouponId, now) : Mono.just(0L);
	}

	private Mono<OrderOutcome> order(long userId, String key, ValidRequest request, List<Product> products,
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
		Payment payment = new Payment(userId, request, items, total, Math.min(couponDiscount, total), now);
		return this.orders
			.insertPending(userId, key, request.requestHash(), items, total, payment.discount(), request.userCouponId(), now)
			.as(this.transactional::transactional)
			.map(Optional::of)
			.onErrorResume(DuplicateKeyException.class, (ex) -> Mono.just(Optional.empty()))
			.onErrorMap((ex) -> DbErrors.is(ex, DbErrors.MISSING_PARENT_ROW), (ex) -> new ProblemException(
					ErrorCode.USER_NOT_FOUND, "User " + userId + " has no account; an admin creates it."))
			.onErrorResume((ex) -> !(ex instanceof ProblemException), (ex) -> insertedAnyway(userId, key, request, ex))
			.flatMap((orderId) -> orderId.isPresent() ? reserveAndPay(orderId.get(), payment)
					: replayFromDatabase(userId, key, request.requestHash(), now));
	}

	/**
	 * The insert failed without saying why (a lost reply may hide a commit): if this request's PENDING order
	 * is there after all, go on with it, since this request holds its key and its user's lock; otherwise
	 * the original failure stands (503, the key is freed).
	 */
	private Mono<Optional<Long>> insertedAnyway(long userId, String key, ValidRequest request, Throwable failure) {
		return this.orders.findByKey(userId, key)
			.filter((order) -> order.requestHash().equals(request.requestHash()) && "PENDING".equals(order.status())
					&& order.responseStatus() == null)
			.map((order) -> Optional.of(order.id()))
			.onErrorResume((lookupFailed) -> Mono.empty())
			.switchIfEmpty(Mono.error(failure));
	}

	/** What one order pays: the lines at their snapshot prices, the total, the coupon's discount (KRW). */
	private record Payment(long userId, ValidRequest request, List<Item> items, long total, long discount, Instant now) {

		long paid() {
			return this.total - this.discount;
		}

	}

	/** Redis lost the idempotency record but the database has the order: answer from the order. */
	private Mono<OrderOutcome> replayFromDatabase(long userId, String key, String requestHash, Instant now) {
		return this.orders.findByKey(userId, key)
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("order key " + key + " is taken but not found")))
			.flatMap((order) -> {
				if (!order.requestHash().equals(requestHash)) {
					return Mono.error(reused());
				}
				if (order.responseStatus() != null) {
					return Mono.just(new OrderOutcome(order.responseStatus(),
							order.responseBody().getBytes(StandardCharsets.UTF_8)));
				}
				if (order.createdAt().isAfter(now.minus(this.properties.inFlightTtl()))) {
					return Mono.error(inProgress());
				}
				return Mono.just(pending(order.id()));
			});
	}

	private Mono<OrderOutcome> reserveAndPay(long orderId, Payment payment) {
		List<Line> lines = payment.request().lines();
		return this.inventory.reserve(orderId, lines)
			.onErrorMap((ex) -> !(ex instanceof ProblemException), ReservationUnknown::new)
			.then(Mono.defer(() -> pay(orderId, payment)))
			.onErrorResume(ProblemException.class, (problem) -> fail(orderId, payment, problem, problem.code().name()))
			.onErrorResume(ReservationUnknown.class, (ex) -> {
				logger.warn("Stock reservation of order " + orderId + " failed; the order is left PENDING for recovery: "
						+ ex.getCause());
				return Mono.just(pending(orderId));
			});
	}

	/** The reservation's outcome is unknown: the script may or may not have run. */
	private static final class ReservationUnknown extends RuntimeException {

		ReservationUnknown(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** The payment transaction, and what its outcome means for the answer; never signals an error. */
	private Mono<OrderOutcome> pay(long orderId, Payment payment) {
		long userId = payment.userId();
		Instant now = payment.now();
		List<Line> lines = payment.request().lines();
		Long userCouponId = payment.request().userCouponId();
		byte[] body = this.json.writeValueAsBytes(new Placed(orderId, "PAID", payment.items(), payment.total(),
				payment.discount(), payment.paid()));
		String event = this.json.writeValueAsString(new OrderPaidEvent(orderId, userId, "PAID", payment.items(),
				payment.total(), payment.discount(), payment.paid(), userCouponId, now));
		AtomicBoolean commitSent = new AtomicBoolean();
		Mono<Void> work = Mono.defer(() -> ((userCouponId != null)
				? this.coupons.use(userId, userCouponId, orderId, now) : Mono.<Void>empty())
			.then(this.payments.pay(userId, orderId, payment.paid(), now))
			.then(this.orders.insertPayment(orderId, payment.paid(), now))
			.then(this.orders.insertEvent(orderId, ORDER_PAID, event, now))
			.then(this.orders.markPaid(orderId, payment.paid(), 201, new String(body, StandardCharsets.UTF_8), now))
			.flatMap((paid) -> paid ? this.inventory.takeDurable(lines, now)
					: Mono.error(new IllegalStateException("order " + orderId + " is no longer PENDING")))
			.doOnSuccess((done) -> commitSent.set(true)));
		return work.as(this.transactional::transactional)
			// a deadlock victim was rolled back whole before its commit: running it again is safe
			.retryWhen(Retry.max(2).filter((ex) -> !commitSent.get() && DbErrors.is(ex, DbErrors.DEADLOCK)))
			.timeout(this.properties.paymentTimeout())
			.then(Mono.defer(() -> afterCommit(orderId, lines)))
			.doOnSuccess((done) -> this.statusEvents.publishDetached(orderId, "PAID", now))
			.thenReturn(new OrderOutcome(201, body))
			.onErrorResume((ex) -> {
				if (ex instanceof ProblemException problem) {
					return fail(orderId, payment, problem, problem.code().name());
				}
				if (commitSent.get()) {
					logger.warn("Commit outcome of order " + orderId + " unknown; left PENDING for recovery: " + ex);
					return Mono.just(pending(orderId));
				}
				logger.warn("Payment of order " + orderId + " failed before its commit; the order fails: " + ex);
				return fail(orderId, payment, new ProblemException(ErrorCode.SERVICE_UNAVAILABLE, "Order " + orderId
						+ " could not be paid because a backing service failed; nothing was charged. "
						+ "Place it again with a new Idempotency-Key."), SYSTEM_ERROR);
			});
	}

	/**
	 * The data-platform event of a paid order (the outbox payload; seeds 001, 003). Money in KRW.
	 */
	record OrderPaidEvent(long orderId, long userId, String status, List<Item> items, long totalAmount,
			long discountAmount, long paidAmount, Long userCouponId, Instant paidAt) {
	}

	private Mono<Void> afterCommit(long orderId, List<Line> lines) {
		return this.inventory.confirm(orderId)
			.onErrorResume((ex) -> {
				logger.warn("Could not drop the reservation record of paid order " + orderId + ": " + ex);
				return Mono.empty();
			})
			.then(this.catalog.evict(lines.stream().map(Line::productId).toList()))
			.onErrorResume((ex) -> {
				logger.warn("Could not evict the product cache after order " + orderId + "; it expires by TTL: " + ex);
				return Mono.empty();
			});
	}

	/**
	 * Compensates a payment that did not happen (seed 004, 4-2 to 4-4): the reserved stock goes back, the
	 * order becomes FAILED with {@code reason}, and the problem (with the order id) is the answer. If that
	 * cannot be done the order stays PENDING for recovery: 202.
	 */
	private Mono<OrderOutcome> fail(long orderId, Payment payment, ProblemException problem, String reason) {
		OrderOutcome outcome = outcome(problem, Map.of("orderId", orderId));
		return this.inventory.release(orderId, payment.request().lines())
			.then(Mono.defer(() -> {
				Instant at = this.clock.instant();
				return this.orders.markFailed(orderId, reason, outcome.status(), new String(outcome.body(), StandardCharsets.UTF_8), at)
					.doOnSuccess((failed) -> {
						if (Boolean.TRUE.equals(failed)) {
							this.statusEvents.publishDetached(orderId, "FAILED", at);
						}
					});
			}))
			.thenReturn(outcome)
			.onErrorResume((ex) -> {
				logger.warn("Could not compensate order " + orderId + "; left PENDING for recovery: " + ex);
				return Mono.just(pending(orderId));
			});
	}

	private OrderOutcome outcome(ProblemException problem, Map<String, Object> extra) {
		return new OrderOutcome(problem.code().status().value(),
				this.problems.render(problem.code(), problem.getMessage(), PATH, extra));
	}

	/** The 202 of an order left for recovery; its PENDING status is published for the order's streams. */
	private OrderOutcome pending(long orderId) {
		this.statusEvents.publishDetached(orderId, "PENDING", this.clock.instant());
		return new OrderOutcome(202, this.json.writeValueAsBytes(new Pending(orderId, "PENDING")));
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
	 * What orders did to a product, for operators.
	 * @return the sales; 404 PRODUCT_NOT_FOUND when the product does not exist
	 */
	Mono<ProductSales> sales(long productId) {
		return this.orders.salesOf(productId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")))
			.flatMap((sales) -> this.stock.available(productId)
				.map(Optional::of)
				.defaultIfEmpty(Optional.empty())
				.map((sellable) -> new ProductSales(productId, sales.stock(), sellable.orElse(null), sales.paidOrders(),
						sales.paidQuantity(), sales.pendingOrders())));
	}

	private static ProblemException inProgress() {
		return new ProblemException(ErrorCode.REQUEST_IN_PROGRESS,
				"A request with this Idempotency-Key is still running; retry when it has finished.");
	}

	private static ProblemException reused() {
		return new ProblemException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
				"This Idempotency-Key was used for a different request; use a new key for a new order.");
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

}
