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
 * The product catalogue as buyers read it (SPEC section 3), through Redis: the active list at
 * {@code products:all} and each product at {@code product:<id>}, both kept 5 minutes, an unknown id
 * remembered for 1 minute. Whoever changes a product's stock, price or status calls {@link #evict}
 * after the change commits.
 */
@Service
public class ProductCatalog {

	/** The Redis key of the active product list (SPEC section 3). */
	public static final String ALL_KEY = "products:all";

	static final Duration TTL = Duration.ofMinutes(5);

	static final Duration UNKNOWN_ID_TTL = Duration.ofMinutes(1);

	private final ProductRepository repository;

	private final ReadThroughCache<ProductList> all;

	private final ReadThroughCache<Product> byId;

	ProductCatalog(ProductRepository repository, ReadThroughCaches caches) {
		this.repository = repository;
		this.all = caches.create(ALL_KEY, ProductList.class, TTL, Duration.ZERO);
		this.byId = caches.create("product", Product.class, TTL, UNKNOWN_ID_TTL);
	}

	/** The Redis key of one product's cached view. */
	static String productKey(long productId) {
		return "product:" + productId;
	}

	/** The active products, by id (an empty list when there are none). */
	public Mono<ProductList> active() {
		return this.all.get(ALL_KEY, () -> this.repository.findActive().collectList().map(ProductList::new));
	}

	/**
	 * One product, whatever its status.
	 * @return the product; {@link ErrorCode#PRODUCT_NOT_FOUND} 404 when it does not exist
	 */
	public Mono<Product> find(long productId) {
		return this.byId.get(productKey(productId), () -> this.repository.findById(productId))
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.PRODUCT_NOT_FOUND,
					"Product " + productId + " does not exist.")));
	}

	/**
	 * Evicts the cached list and the given products. Signals Redis failures: callers that must not fail
	 * after their commit log them (the entries then expire with their TTL).
	 */
	public Mono<Void> evict(Collection<Long> productIds) {
		return this.all.evict(ALL_KEY)
			.thenMany(Flux.fromIterable(productIds).concatMap((id) -> this.byId.evict(productKey(id))))
			.then();
	}

}
