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
 * (5 minutes), an unknown id remembered for {@code unknown-id-ttl} (1 minute). Whoever changes a product's stock, price or status calls {@link #evict}
 * after the change commits.
 */
@Service
public class ProductCatalog {

	private final ProductRepository repository;

	private final ReadThroughCache<ProductList> all;

	private final ReadThroughCache<Product> byId;

	ProductCatalog(ProductRepository repository, ReadThroughCaches caches, ProductProperties properties) {
		this.repository = repository;
		this.all = caches.create(ProductKeys.ALL, ProductList.class, properties.cacheTtl(), Duration.ZERO);
		this.byId = caches.create("product", Product.class, properties.cacheTtl(), properties.unknownIdTtl());
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
	 * Evicts the cached list and the given products inside a transaction that changes them, before its
	 * commit, and holds them until {@link #evict} after the commit (at most {@code app.cache.hold}): no read
	 * in between can cache the old rows. Signals Redis failures (the transaction then rolls back).
	 */
	Mono<Void> hold(Collection<Long> productIds) {
		return this.all.hold(ProductKeys.ALL)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.hold(ProductKeys.product(id))))
			.then();
	}

	/**
	 * Evicts the cached list and the given products, ending a {@link #hold}. Signals Redis failures: callers
	 * that must not fail after their commit log them (the entries then expire with their TTL, a hold with
	 * {@code app.cache.hold}).
	 */
	public Mono<Void> evict(Collection<Long> productIds) {
		return this.all.evict(ProductKeys.ALL)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.evict(ProductKeys.product(id))))
			.then();
	}

	/** Deletes every cache key of {@code productId} (the startup warm-up's synthetic product). */
	Mono<Void> forget(long productId) {
		return this.byId.remove(ProductKeys.product(productId));
	}

}
