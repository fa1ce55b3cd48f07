package com.example.flashsale.support.security;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;

import com.example.flashsale.IntegrationTest;

/**
 * Cross-origin browsers (docs/api.md "Authentication"): an origin of {@code app.cors.allowed-origins} (the
 * test profile allows {@code http://shop.example} and {@code http://localhost:[*]}) passes the preflight
 * of an order with its headers and reads the answer; any other origin's preflight is refused.
 */
class CorsTest extends IntegrationTest {

	@Test
	void anAllowedOriginPassesThePreflightOfAnOrder() {
		this.client.options().uri("/api/orders")
			.header("Origin", "http://shop.example")
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "http://shop.example")
			.expectHeader().value("Access-Control-Allow-Methods", (methods) -> methods.contains("POST"))
			.expectHeader().value("Access-Control-Allow-Headers",
					(headers) -> headers.toLowerCase().contains("idempotency-key"));
		this.client.options().uri("/api/orders/1/events")
			.header("Origin", "http://localhost:5173")
			.header("Access-Control-Request-Method", "GET")
			.header("Access-Control-Request-Headers", "last-event-id")
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "http://localhost:5173");
	}

	@Test
	void anAllowedOriginReadsTheAnswerAndOthersAreRefused() {
		this.client.method(HttpMethod.GET).uri("/api/products")
			.header("Origin", "http://shop.example")
			.headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Access-Control-Allow-Origin", "http://shop.example");
		this.client.options().uri("/api/orders")
			.header("Origin", "http://evil.example")
			.header("Access-Control-Request-Method", "POST")
			.exchange()
			.expectStatus().isForbidden()
			.expectHeader().doesNotExist("Access-Control-Allow-Origin");
	}

}
