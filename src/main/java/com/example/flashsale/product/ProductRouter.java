package com.example.flashsale.product;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of the catalogue (SPEC section 3): {@code GET /api/products}, {@code GET /api/products/{id}},
 * {@code GET /api/products/popular?days&limit} ({@link PopularProducts}), and the admin
 * {@code POST /api/admin/products}, {@code PATCH /api/admin/products/{id}}.
 */
@Configuration(proxyBeanMethods = false)
class ProductRouter {

	/** The catalogue routes; the admin ones need the ADMIN role (SecurityConfig). */
	@Bean
	RouterFunction<ServerResponse> productRoutes(ProductCatalog catalog, ProductService service, PopularProducts popular,
			Requests requests) {
		return route().path("/api", (api) -> api
			.GET("/products", (request) -> catalog.active().flatMap((list) -> ServerResponse.ok().bodyValue(list)))
			// before /products/{productId}, which would take "popular" for an id
			.GET("/products/popular", (request) -> popular
				.top(boundedInt(requests, request, "days", PopularProducts.DEFAULT_DAYS),
						boundedInt(requests, request, "limit", PopularProducts.DEFAULT_LIMIT))
				.flatMap((list) -> ServerResponse.ok().bodyValue(list)))
			.GET("/products/{productId}", (request) -> catalog.find(requests.pathId(request, "productId"))
				.flatMap((product) -> ServerResponse.ok().bodyValue(product)))
			.POST("/admin/products", (request) -> requests.body(request, NewProduct.class)
				.flatMap(service::create)
				.flatMap((product) -> ServerResponse.created(URI.create("/api/products/" + product.id()))
					.bodyValue(product)))
			.PATCH("/admin/products/{productId}", (request) -> {
				long productId = requests.pathId(request, "productId");
				return requests.body(request, ProductPatch.class)
					.flatMap((patch) -> service.update(productId, patch))
					.flatMap((product) -> ServerResponse.ok().bodyValue(product));
			}))
			.build();
	}

	/** A positive integer query parameter (400 otherwise), {@code fallback} when absent. */
	private static int boundedInt(Requests requests, ServerRequest request, String name, int fallback) {
		return (int) Math.min(Integer.MAX_VALUE, requests.positiveQueryParam(request, name).orElse((long) fallback));
	}

}
