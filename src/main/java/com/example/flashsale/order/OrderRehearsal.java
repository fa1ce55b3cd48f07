package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.balance.BalanceService;
import com.example.flashsale.order.OrderRequestValidator.ValidOrder;
import com.example.flashsale.order.OrderResult.Paid;
import com.example.flashsale.order.OrderResult.Pending;
import com.example.flashsale.order.OrderResult.Refused;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.product.NewProduct;
import com.example.flashsale.product.Product;
import com.example.flashsale.product.ProductCatalog;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.product.ProductService;
import com.example.flashsale.support.config.TransactionConfig;

/**
 * Paid orders rehearsed in rolled-back transactions, the startup warm-up's way to compile the paid order
 * path before the first buyer (docs/operations.md "Cold start", ADR 0029). One rehearsal is one READ
 * COMMITTED transaction that opens an account (with a large balance and its charge in the ledger) and inserts
 * an ACTIVE product (with a large stock) through their features, puts the product's sellable stock in Redis,
 * runs the real {@link OrderSaga} for up to {@value #ORDERS_PER_REHEARSAL} orders of one unit (the catalogue
 * lookup, the stock look and reservation, the PENDING order, the payment with its ledger row, payment row and
 * outbox event, the durable decrement, the after-commit work), all inside that transaction (the saga's own
 * transactions join it), and then rolls it all back: no other connection ever sees those rows, so the outbox
 * relay never sends their events and no console or report counts them. READ COMMITTED keeps its locks to its
 * own new rows (no gap locks), so real orders on other instances never wait for it.
 *
 * <p>What it leaves: gaps in the auto-increment ids of those tables (as any rolled-back insert does), and
 * Redis keys of the rehearsed ids ({@link #leftoverKeys()}: sellable stock, reservation records, order status
 * logs; and the products' cache entries, {@link #forgetProducts()}), which the order fixture deletes; the
 * stock key also expires on its own. The after-commit evictions of the product list and the order status
 * messages on the shared channel happen as for a real sale.
 */
@Component
class OrderRehearsal {

	/** Orders per rehearsal transaction: the ids of one account and one product serve them all. */
	static final int ORDERS_PER_REHEARSAL = 25;

	/** Each rehearsal order's unit price (KRW). */
	private static final long PRICE = 1_000;

	/** The rehearsal account's balance (KRW): far more than one rehearsal spends. */
	private static final long PLENTY = 1_000_000_000L;

	/** The rehearsal product's stock: far more than one rehearsal sells. */
	private static final int STOCK = 10_000_000;

	/** How long a rehearsal product's sellable stock key lives in Redis if the clean-up does not run. */
	private static final Duration STOCK_KEY_TTL = Duration.ofMinutes(10);

	private static final String NAME = "warm-up rehearsal (rolled back)";

	private final BalanceService accounts;

	private final ProductService products;

	private final ReactiveStringRedisTemplate redis;

	private final OrderSaga saga;

	private final ProductCatalog catalog;

	private final TransactionalOperator transactional;

	private final Queue<Long> productIds = new ConcurrentLinkedQueue<>();

	private final Queue<Long> orderIds = new ConcurrentLinkedQueue<>();

	private final AtomicLong sequence = new AtomicLong();

	OrderRehearsal(BalanceService accounts, ProductService products, ReactiveStringRedisTemplate redis, OrderSaga saga,
			ProductCatalog catalog, @Qualifier(TransactionConfig.READ_COMMITTED) TransactionalOperator transactional) {
		this.accounts = accounts;
		this.products = products;
		this.redis = redis;
		this.saga = saga;
		this.catalog = catalog;
		this.transactional = transactional;
	}

	/**
	 * Runs one rehearsal: up to {@value #ORDERS_PER_REHEARSAL} orders in one transaction that is rolled back.
	 * @return one label per order: {@code PAID}, or the name of what else the saga answered (the rehearsal
	 * then ends, since a refusal leaves the transaction rollback-only); an error when the transaction could
	 * not start
	 */
	Flux<String> rehearse() {
		return this.transactional.execute((status) -> {
			status.setRollbackOnly();
			return this.accounts.openFundedAccount(NAME, PLENTY)
				.zipWhen((userId) -> this.products.insertInCallerTransaction(new NewProduct(NAME, PRICE, STOCK))
					.map(Product::id))
				.flatMapMany((ids) -> {
					long productId = ids.getT2();
					this.productIds.add(productId);
					return this.redis.opsForValue()
						.set(ProductKeys.stock(productId), Integer.toString(STOCK), STOCK_KEY_TTL)
						.thenMany(Flux.range(0, ORDERS_PER_REHEARSAL)
							.concatMap((i) -> order(ids.getT1(), productId))
							.takeUntil((label) -> !"PAID".equals(label)));
				});
		});
	}

	private Mono<String> order(long userId, long productId) {
		String key = "warmup-rehearsal-" + this.sequence.incrementAndGet();
		String hash = HexFormat.of()
			.formatHex(OrderRequestValidator.sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
		ValidOrder request = new ValidOrder(List.of(new Line(productId, 1)), null, hash);
		return this.saga.run(userId, key, request).map((result) -> {
			Long orderId = orderIdOf(result);
			if (orderId != null) {
				this.orderIds.add(orderId);
			}
			return (result instanceof Paid) ? "PAID" : result.getClass().getSimpleName();
		}).defaultIfEmpty("EMPTY");
	}

	/** The order a result is about; null for a refusal before any order existed. */
	private static Long orderIdOf(OrderResult result) {
		if (result instanceof Paid paid) {
			return paid.order().orderId();
		}
		if (result instanceof Pending pending) {
			return pending.orderId();
		}
		return ((Refused) result).orderId();
	}

	/**
	 * The Redis keys of every id rehearsed so far: the products' sellable stock, the orders' reservation
	 * records and status logs (those of orders that failed or were left pending too).
	 */
	List<String> leftoverKeys() {
		List<String> keys = new ArrayList<>();
		this.productIds.forEach((id) -> keys.add(ProductKeys.stock(id)));
		this.orderIds.forEach((id) -> {
			keys.add(ProductKeys.reservation(id));
			keys.add(OrderKeys.statusLog(id));
		});
		return keys;
	}

	/** Deletes the cache entries of every product rehearsed so far. */
	Mono<Void> forgetProducts() {
		return Flux.defer(() -> Flux.fromIterable(List.copyOf(this.productIds))).concatMap(this.catalog::forget).then();
	}

}
