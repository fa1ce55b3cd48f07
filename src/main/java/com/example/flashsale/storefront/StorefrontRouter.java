package com.example.flashsale.storefront;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.openapi.ApiDocs;

import static org.springdoc.core.fn.builders.apiresponse.Builder.responseBuilder;
import static org.springdoc.core.fn.builders.content.Builder.contentBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;
import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * {@code GET /shop}: the storefront page (docs/operations.md "Storefront"); its script and style are
 * static resources under {@code /shop/}. No token: the page holds no data of its own.
 */
@Configuration(proxyBeanMethods = false)
class StorefrontRouter {

	@Bean
	RouterFunction<ServerResponse> storefrontRoutes() {
		ClassPathResource page = new ClassPathResource("static/shop/index.html");
		return route().GET("/shop", (request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page),
				(operation) -> {
					operation.operationId("storefront").tag("Storefront").summary("The storefront page (HTML)")
						.response(responseBuilder().responseCode("200")
							.description("the page")
							.content(contentBuilder().mediaType(MediaType.TEXT_HTML_VALUE)
								.schema(schemaBuilder().type("string"))));
					ApiDocs.open(operation);
				})
			.build();
	}

}
