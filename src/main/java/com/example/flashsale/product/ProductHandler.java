package com.example.flashsale.product;

import java.net.URI;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

/** HTTP mapping of the catalogue (docs/api.md "Products" and "Admin"). */
@Component
class ProductHandler {

	private final ProductCatalog catalog;

	private final ProductService service;

	private final Requests requests;

	private final StockReconciler reconciler;

	ProductHandler(ProductCatalog catalog, ProductService service, Requests requests, StockReconciler reconciler) {
		this.catalog = catalog;
		this.service = service;
		this.requests = requests;
		this.reconciler = reconciler;
	}

	/** {@code GET /api/products} -> 200 {@code {products:[...]}}, the active products. */
	Mono<ServerResponse> list(ServerRequest request) {
		return this.catalog.active().flatMap((list) -> ServerResponse.ok().bodyValue(list));
	}

	/** {@code GET /api/products/{productId}} -> 200 the product; 404 PRODUCT_NOT_FOUND. */
	Mono<ServerResponse> find(ServerRequest request) {
		return this.requests.pathId(request, "productId")
			.flatMap(this.catalog::find)
			.flatMap((product) -> ServerResponse.ok().bodyValue(product));
	}

	/** {@code POST /api/admin/products {name, price, stock}} -> 201 the product. */
	Mono<ServerResponse> create(ServerRequest request) {
		return this.requests.body(request, NewProduct.class)
			.flatMap(this.service::create)
			.flatMap((product) -> ServerResponse.created(URI.create("/api/products/" + product.id())).bodyValue(product));
	}

	/** {@code PATCH /api/admin/products/{productId}} -> 200 the product afterwards. */
	Mono<ServerResponse> update(ServerRequest request) {
		return this.requests.pathId(request, "productId")
			.zipWith(this.requests.body(request, ProductPatch.class))
			.flatMap((args) -> this.service.update(args.getT1(), args.getT2()))
			.flatMap((product) -> ServerResponse.ok().bodyValue(product));
	}

	/**
	 * {@code POST /api/admin/products/reconcile} -> 200 {@code {checked, repairs:[{productId, kind, redis,
	 * expected}]}}: one stock reconciliation now (docs/operations.md "Reconcilers").
	 */
	Mono<ServerResponse> reconcile(ServerRequest request) {
		return this.reconciler.reconcile().flatMap((report) -> ServerResponse.ok().bodyValue(report));
	}

}
