package com.example.flashsale.product;

import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Products made through the admin API for the catalogue tests. */
public final class ProductFixtures {

	public static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private ProductFixtures() {
	}

	/** Creates an ACTIVE product and returns its id. */
	public static long create(WebTestClient client, String adminToken, String name, long price, int stock) {
		Map<String, Object> product = client.post().uri("/api/admin/products").headers((h) -> h.setBearerAuth(adminToken))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"" + name + "\",\"price\":" + price + ",\"stock\":" + stock + "}")
			.exchange()
			.expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody();
		return ((Number) product.get("id")).longValue();
	}

	/** {@code PATCH /api/admin/products/{id}} with {@code json} as admin. */
	public static WebTestClient.ResponseSpec patch(WebTestClient client, String adminToken, long productId, String json) {
		return client.patch().uri("/api/admin/products/{id}", productId).headers((h) -> h.setBearerAuth(adminToken))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

}
