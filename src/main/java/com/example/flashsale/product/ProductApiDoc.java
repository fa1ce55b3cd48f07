package com.example.flashsale.product;

import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;

/** The OpenAPI description of the catalogue routes (docs/api.md "Products" and "Admin"), one method per route. */
final class ProductApiDoc {

	private static final String TAG = "Products";

	private ProductApiDoc() {
	}

	static void list(Builder operation) {
		operation.operationId("listProducts").tag(TAG).summary("The ACTIVE products, by id")
			.response(ApiDocs.ok(200, "the catalogue; stock is the durable stock", ProductList.class));
		ApiDocs.caller(operation);
	}

	static void find(Builder operation) {
		operation.operationId("getProduct").tag(TAG).summary("One product, whatever its status")
			.parameter(ApiDocs.pathId("productId", "the product"))
			.response(ApiDocs.ok(200, "the product", Product.class));
		ApiDocs.caller(operation, ErrorCode.PRODUCT_NOT_FOUND);
	}

	static void create(Builder operation) {
		operation.operationId("createProduct").tag("Admin").summary("Add an ACTIVE product")
			.description("Its sellable stock is set in Redis in the same step.")
			.requestBody(ApiDocs.body(NewProduct.class))
			.response(ApiDocs.created("the product", Product.class, "/api/products/{id}"));
		ApiDocs.admin(operation);
	}

	static void update(Builder operation) {
		operation.operationId("updateProduct").tag("Admin").summary("Change a product's name, price, stock or status")
			.description("Any of the fields, at least one; stock is the new absolute durable stock (the sellable "
					+ "stock moves by the same delta). 503 when Redis is unreachable: nothing changed.")
			.parameter(ApiDocs.pathId("productId", "the product"))
			.requestBody(ApiDocs.body(ProductPatch.class))
			.response(ApiDocs.ok(200, "the product afterwards", Product.class));
		ApiDocs.admin(operation, ErrorCode.PRODUCT_NOT_FOUND);
	}

	static void reconcile(Builder operation) {
		operation.operationId("reconcileStock").tag("Admin").summary("Compare and repair every product's sellable stock now")
			.description("Compares each product's sellable stock in Redis with its durable stock minus the units of "
					+ "PENDING orders, twice about a second apart, and repairs (compare-and-set) only what differed "
					+ "the same way both times; a missing key is loaded. The scheduled reconciler does the same every "
					+ "30 s. 503 when Redis or the database is unreachable.")
			.response(ApiDocs.ok(200, "what was checked and repaired", StockReconciler.StockReconciliation.class));
		ApiDocs.admin(operation);
	}

}
