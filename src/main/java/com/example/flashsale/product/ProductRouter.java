package com.example.flashsale.product;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of the catalogue (docs/api.md "Products" and "Admin"); the admin ones need the ADMIN role
 * (SecurityConfig). {@code GET /api/products/popular} belongs to the popular feature, whose routes come
 * first. Each route names its OpenAPI description in {@link ProductApiDoc}.
 */
@Configuration(proxyBeanMethods = false)
class ProductRouter {

	@Bean
	RouterFunction<ServerResponse> productRoutes(ProductHandler handler) {
		return route()
			.GET("/api/products", handler::list, ProductApiDoc::list)
			.GET("/api/products/{productId}", handler::find, ProductApiDoc::find)
			.POST("/api/admin/products", handler::create, ProductApiDoc::create)
			.PATCH("/api/admin/products/{productId}", handler::update, ProductApiDoc::update)
			.POST("/api/admin/products/reconcile", handler::reconcile, ProductApiDoc::reconcile)
			.build();
	}

}
