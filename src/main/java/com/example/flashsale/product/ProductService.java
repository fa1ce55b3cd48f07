package com.example.flashsale.product;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;

/**
 * Operators' changes to the catalogue (docs/api.md "Admin"). Each change keeps MySQL, the Redis stock
 * and the caches together: the Redis steps run inside the MySQL transaction, so an unreachable Redis
 * rolls the change back (503, nothing changed). The caches are evicted and held inside the transaction
 * (no read can cache the old row until the commit) and evicted again after the commit, which ends the
 * hold; if that eviction fails, the hold expires after {@code app.cache.hold}.
 */
@Service
public class ProductService {

	private static final Log logger = LogFactory.getLog(ProductService.class);

	private final ProductRepository repository;

	private final ProductStock stock;

	private final ProductCatalog catalog;

	private final TransactionalOperator transactional;

	private final Clock clock;

	private final ProductSoldOut soldOut;

	ProductService(ProductRepository repository, ProductStock stock, ProductCatalog catalog,
			TransactionalOperator transactional, Clock clock, ProductSoldOut soldOut) {
		this.soldOut = soldOut;
		this.repository = repository;
		this.stock = stock;
		this.catalog = catalog;
		this.transactional = transactional;
		this.clock = clock;
	}

	/** Creates an ACTIVE product with its sellable stock in Redis (admins; demo data). */
	public Mono<Product> create(NewProduct request) {
		return RunToCompletion.of(() -> this.repository.insert(request, this.clock.instant())
			.flatMap((product) -> this.stock.put(product.id(), product.stock())
				.then(this.catalog.hold(List.of(product.id())))
				.thenReturn(product))
			.as(this.transactional::transactional)
			.flatMap(this::evictAfterCommit));
	}

	/**
	 * Inserts an ACTIVE product row and nothing else (no sellable stock in Redis, no cache hold), in the
	 * caller's transaction: the product of the startup warm-up's order rehearsal, whose transaction is rolled
	 * back (ADR 0029).
	 * @return the product, with its new id
	 */
	public Mono<Product> insertInCallerTransaction(NewProduct request) {
		return this.repository.insert(request, this.clock.instant());
	}

	/**
	 * Applies {@code patch} to product {@code productId}; a stock change moves the sellable stock in
	 * Redis by the same delta (orders in flight keep their reservations).
	 * @return the product afterwards; PRODUCT_NOT_FOUND 404
	 */
	Mono<Product> update(long productId, ProductPatch patch) {
		AtomicReference<StockChange> applied = new AtomicReference<>();
		return RunToCompletion.of(() -> this.repository.lockById(productId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")))
			.flatMap((current) -> {
				Product changed = patch.applyTo(current);
				StockChange change = new StockChange(productId, newAdjustmentId(), changed.stock() - current.stock());
				return this.repository.update(changed, this.clock.instant())
					.then(this.catalog.hold(List.of(productId)))
					.then((change.delta() == 0) ? Mono.empty()
							: this.stock.adjust(productId, change.id(), change.delta())
								.doOnSubscribe((subscription) -> applied.set(change)))
					.thenReturn(changed);
			})
			.as(this.transactional::transactional)
			// the change may have committed (a lost commit reply): what the order path knows of it may be stale
			.doOnError((ex) -> this.soldOut.stockBack(List.of(productId)))
			.onErrorResume((ex) -> undo(applied.get()).then(endHold(productId)).then(Mono.error(ex)))
			.flatMap(this::evictAfterCommit));
	}

	/**
	 * After a failure once the Redis stock change was sent: whether Redis applied it, and whether MySQL
	 * committed, are unknown (a lost reply, a failed commit), so the sellable stock is dropped and
	 * reloaded from MySQL on its next use rather than guessed.
	 */
	private Mono<Void> undo(StockChange change) {
		if (change == null) {
			return Mono.empty();
		}
		return this.stock.forget(change.productId()).onErrorResume((ex) -> {
			logger.error("Product " + change.productId() + ": the stock change failed and the Redis stock could not be "
					+ "dropped; it may be off by " + change.delta() + " until reloaded: " + ex);
			return Mono.empty();
		});
	}

	/** After a rolled-back change: ends the hold at once rather than after {@code app.cache.hold}. */
	private Mono<Void> endHold(long productId) {
		return this.catalog.evict(List.of(productId)).onErrorResume((ex) -> Mono.empty());
	}

	private Mono<Product> evictAfterCommit(Product product) {
		// its status or stock may have changed: what the order path knows of it from memory is stale
		this.soldOut.stockBack(List.of(product.id()));
		return this.catalog.evict(List.of(product.id())).onErrorResume((ex) -> {
			logger.warn("Product " + product.id() + " changed but its cache entries could not be evicted; "
					+ "they expire with their TTL: " + ex);
			return Mono.empty();
		}).thenReturn(product);
	}

	/** A random id, so a resent adjustment script is recognised (not a secret: no SecureRandom). */
	private static String newAdjustmentId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
	}

	private record StockChange(long productId, String id, int delta) {
	}

}
