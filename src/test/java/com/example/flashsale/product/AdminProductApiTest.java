package com.example.flashsale.product;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/admin/products}: 201 ACTIVE product, 400 on bad bodies, 403 for users. */
class AdminProductApiTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Test
	void createsAnActiveProduct() {
		Map<String, Object> created = this.client.post().uri("/api/admin/products").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"Socks\",\"price\":9900,\"stock\":30}")
			.exchange()
			.expectStatus().isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		assertThat(created).containsEntry("name", "Socks").containsEntry("price", 9900).containsEntry("stock", 30)
			.containsEntry("status", "ACTIVE");
		long id = ((Number) created.get("id")).longValue();
		assertThat(this.db.sql("SELECT stock FROM products WHERE id = ?").bind(0, id)
			.map((row) -> row.get("stock", Integer.class)).one().block()).isEqualTo(30);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"name\":\"x\",\"price\":-1,\"stock\":1}", "{\"name\":\"x\",\"price\":1,\"stock\":-1}",
			"{\"name\":\"x\",\"price\":\"cheap\",\"stock\":1}", "{\"name\":\"x\",\"price\":1,\"stock\":1e20}", "[" })
	void invalidBodiesAre400AndWriteNothing(String body) {
		long before = count();
		expectProblem(postJson("/api/admin/products", adminToken(), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(count()).isEqualTo(before);
	}

	@Test
	void usersAreForbidden() {
		expectProblem(postJson("/api/admin/products", userToken(5), "{\"name\":\"x\",\"price\":1,\"stock\":1}"), HttpStatus.FORBIDDEN, "FORBIDDEN");
	}

	private long count() {
		return this.db.sql("SELECT COUNT(*) AS n FROM products").map((row) -> row.get("n", Long.class)).one().block();
	}

}
