package com.example.flashsale.popular;

import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.popular.PopularProducts.PopularList;
import com.example.flashsale.support.openapi.ApiDocs;

/** The OpenAPI description of the popular products route (docs/api.md "Popular products"). */
final class PopularApiDoc {

	private final PopularProperties properties;

	PopularApiDoc(PopularProperties properties) {
		this.properties = properties;
	}

	void top(Builder operation) {
		operation.operationId("listPopularProducts").tag("Products").summary("The best sellers of the last days")
			.description("ACTIVE products ranked by units sold in PAID orders over the UTC days from..to, ties by "
					+ "product id; recomputed hourly.")
			.parameter(ApiDocs.query("days", "days up to today, both included", this.properties.maxDays(),
					this.properties.defaultDays()))
			.parameter(ApiDocs.query("limit", "how many products", this.properties.maxLimit(), this.properties.defaultLimit()))
			.response(ApiDocs.ok(200, "the ranking (empty when nothing sold)", PopularList.class));
		ApiDocs.caller(operation);
	}

}
