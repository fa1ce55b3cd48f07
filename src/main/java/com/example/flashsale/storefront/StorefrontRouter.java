package com.example.flashsale.storefront;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * {@code GET /shop}: the storefront page (docs/operations.md "Storefront"); its script and style are
 * static resources under {@code /shop/}. No token: the page holds no data of its own.
 */
@Configuration(proxyBeanMethods = false)
class StorefrontRouter {

	@Bean
	RouterFunction<ServerResponse> storefrontRoutes() {
		ClassPathResource page = new ClassPathResource("static/shop/index.html");
		return route().GET("/shop", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page))
			.build();
	}

}
