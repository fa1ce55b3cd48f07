package com.example.flashsale.product;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** {@code POST /api/admin/products {name, price, stock}} -> 201 product (SPEC section 3). */
@Configuration(proxyBeanMethods = false)
class ProductRouter {

	@Bean
	RouterFunction<ServerResponse> productRoutes(ProductService service, Requests requests) {
		return route().POST("/api/admin/products", (request) -> requests.body(request, NewProduct.class)
			.flatMap(service::create)
			.flatMap((product) -> ServerResponse.created(URI.create("/api/products/" + product.id()))
				.bodyValue(product)))
			.build();
	}

}
