package com.example.flashsale.product;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.startup.WarmUpCall;
import com.example.flashsale.support.startup.WarmUpFixture;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * The product feature's part of the startup warm-up (docs/operations.md "Cold start"): the catalog reads
 * of a shopper (the list, through the Redis read-through cache and R2DBC, and the 404 of the synthetic
 * product {@link WarmUpIdentity#PRODUCT_ID}); reads only. The cache's keys of the synthetic product are
 * deleted afterwards.
 */
@Component
class ProductWarmUpFixture implements WarmUpFixture {

	private final ProductCatalog catalog;

	ProductWarmUpFixture(ProductCatalog catalog) {
		this.catalog = catalog;
	}

	@Override
	public List<WarmUpCall> calls() {
		return List.of(WarmUpCall.get("/api/products"), WarmUpCall.get("/api/products/" + WarmUpIdentity.PRODUCT_ID));
	}

	@Override
	public Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		return this.catalog.forget(WarmUpIdentity.PRODUCT_ID);
	}

}
