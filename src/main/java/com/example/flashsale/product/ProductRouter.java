package com.example.flashsale.product;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of the catalogue (SPEC section 3): {@code GET /api/products}, {@code GET /api/products/{id}},
 * and the admin {@code POST /api/admin/products}, {@code PATCH /api/admin/products/{id}}.
 */
@Configuration(proxyBeanMethods = false)
class ProductRouter {

	/** The catalogue routes; the admin ones need the ADMIN role (SecurityConfig). */
	@Bean
	RouterFunction<ServerResponse> productRoutes(ProductCatalog catalog, ProductService service, Requests requests) {
		return route().path("/api", (api) -> api
			.GET("/products", (request) -> catalog.active().flatMap((list) -> ServerResponse.ok().bodyValue(list)))
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

}
