package com.example.flashsale.product;

import java.time.Duration;
import java.util.Collection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

import com.example.flashsale.support.cache.ReadThroughCache;
import com.example.flashsale.support.cache.ReadThroughCaches;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The product catalogue as buyers read it (docs/api.md "Products"), through Redis: the active list at
 * {@link ProductKeys#ALL} and each product at {@code product:<id>}, both kept {@code app.products.cache-ttl}
 * (5 minutes), an unknown id remembered for {@code unknown-id-ttl} (1 minute); and each product's offer at
 * {@code product-offer:<id>}, the same, for orders ({@link #findOffer}). Whoever changes a product's stock,
 * price or status calls {@link #evict} after the change commits; a paid order, which changes only the
 * stock, calls {@link #evictSold}.
 */
@Service
public class ProductCatalog {

	private final ProductRepository repository;

	private final ReadThroughCache<ProductList> all;

	private final ReadThroughCache<Product> byId;

	private final ReadThroughCache<Product> offers;

	ProductCatalog(ProductRepository repository, ReadThroughCaches caches, ProductProperties properties) {
		this.repository = repository;
		this.all = caches.create(ProductKeys.ALL, ProductList.class, properties.cacheTtl(), Duration.ZERO);
		this.byId = caches.create("product", Product.class, properties.cacheTtl(), properties.unknownIdTtl());
		this.offers = caches.create("product-offer", Product.class, properties.cacheTtl(), properties.unknownIdTtl());
	}

	/** The active products, by id (an empty list when there are none). */
	public Mono<ProductList> active() {
		return this.all.get(ProductKeys.ALL, () -> this.repository.findActive().collectList().map(ProductList::new));
	}

	/**
	 * One product, whatever its status.
	 * @return the product; {@link ErrorCode#PRODUCT_NOT_FOUND} 404 when it does not exist
	 */
	public Mono<Product> find(long productId) {
		return this.byId.get(ProductKeys.product(productId), () -> this.repository.findById(productId))
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")));
	}

	/**
	 * One product as an order is priced and validated from ({@code product-offer:<id>}): its name, price
	 * and status are as current as {@link #find}'s (evicted with every admin change), but its stock is the
	 * durable stock when it was loaded, since a sale does not evict it ({@link #evictSold}). The payment
	 * checks the price and status against MySQL again.
	 * @return the product; {@link ErrorCode#PRODUCT_NOT_FOUND} 404 when it does not exist
	 */
	public Mono<Product> findOffer(long productId) {
		return this.offers.get(ProductKeys.offer(productId), () -> this.repository.findById(productId))
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")));
	}

	/**
	 * Evicts the cached list and the given products inside a transaction that changes them, before its
	 * commit, and holds them until {@link #evict} after the commit (at most {@code app.cache.hold}): no read
	 * in between can cache the old rows. Signals Redis failures (the transaction then rolls back).
	 */
	Mono<Void> hold(Collection<Long> productIds) {
		return this.all.hold(ProductKeys.ALL)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.hold(ProductKeys.product(id))
				.then(this.offers.hold(ProductKeys.offer(id)))))
			.then();
	}

	/**
	 * Evicts the cached list and the given products, ending a {@link #hold}. Signals Redis failures: callers
	 * that must not fail after their commit log them (the entries then expire with their TTL, a hold with
	 * {@code app.cache.hold}).
	 */
	public Mono<Void> evict(Collection<Long> productIds) {
		return this.all.evict(ProductKeys.ALL)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.evict(ProductKeys.product(id))
				.then(this.offers.evict(ProductKeys.offer(id)))))
			.then();
	}

	/**
	 * Evicts what a sale of the given products changed: the cached list and each product's view (their
	 * durable stock), not their offers ({@link #findOffer}). Every paid order calls it, so the orders that
	 * end while an eviction of the same key runs share the next one
	 * ({@link ReadThroughCache#evictTogether}). Signals Redis failures like {@link #evict}.
	 */
	public Mono<Void> evictSold(Collection<Long> productIds) {
		return this.all.evictTogether(ProductKeys.ALL)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.evictTogether(ProductKeys.product(id))))
			.then();
	}

	/**
	 * Deletes every cache key of {@code productId}, its view's and its offer's: for the startup warm-up's
	 * products, which no committed row has (docs/operations.md "Cold start").
	 */
	public Mono<Void> forget(long productId) {
		return this.byId.remove(ProductKeys.product(productId)).then(this.offers.remove(ProductKeys.offer(productId)));
	}

}
