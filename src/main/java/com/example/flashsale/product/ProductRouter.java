package com.example.flashsale.product;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of the catalogue (docs/api.md "Products" and "Admin"); the admin ones need the ADMIN role
 * (SecurityConfig). {@code GET /api/products/popular} belongs to the popular feature, whose routes come
 * first.
 */
@Configuration(proxyBeanMethods = false)
class ProductRouter {

	@Bean
	RouterFunction<ServerResponse> productRoutes(ProductHandler handler) {
		return route().path("/api", (api) -> api
			.GET("/products", handler::list)
			.GET("/products/{productId}", handler::find)
			.POST("/admin/products", handler::create)
			.PATCH("/admin/products/{productId}", handler::update))
			.build();
	}

}
