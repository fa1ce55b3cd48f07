package com.example.flashsale.popular;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

/** HTTP mapping of popular products (docs/api.md "Popular products"). */
@Component
class PopularHandler {

	private final PopularProducts popular;

	private final PopularProperties properties;

	private final Requests requests;

	PopularHandler(PopularProducts popular, PopularProperties properties, Requests requests) {
		this.popular = popular;
		this.properties = properties;
		this.requests = requests;
	}

	/**
	 * {@code GET /api/products/popular?days=3&limit=5} -> 200 {@code {products:[{rank, productId, name, price,
	 * totalSales}], from, to}}; 400 for days outside 1..max-days or limit outside 1..max-limit.
	 */
	Mono<ServerResponse> top(ServerRequest request) {
		return this.requests.boundedInt(request, "days", this.properties.defaultDays(), this.properties.maxDays())
			.zipWith(this.requests.boundedInt(request, "limit", this.properties.defaultLimit(), this.properties.maxLimit()))
			.flatMap((args) -> this.popular.top(args.getT1(), args.getT2()))
			.flatMap((list) -> ServerResponse.ok().bodyValue(list));
	}

}
