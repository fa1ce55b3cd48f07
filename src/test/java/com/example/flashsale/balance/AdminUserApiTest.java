package com.example.flashsale.balance;

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

/** {@code POST /api/admin/users}: 201 with a zero balance, 400 on bad bodies, 403 for users. */
class AdminUserApiTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Test
	void createsAnAccountWithZeroBalance() {
		Map<String, Object> created = this.client.post().uri("/api/admin/users").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":\"Dana\"}")
			.exchange()
			.expectStatus().isCreated()
			.expectHeader().valueMatches("Location", "/api/admin/users/\\d+")
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			}).returnResult().getResponseBody();
		assertThat(created).containsEntry("name", "Dana").containsEntry("balance", 0);
		long id = ((Number) created.get("id")).longValue();
		assertThat(this.db.sql("SELECT name, balance FROM users WHERE id = ?").bind(0, id)
			.map((row) -> row.get("name", String.class) + ":" + row.get("balance", Long.class)).one().block())
			.isEqualTo("Dana:0");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"name\":\"\"}", "{\"name\":7}", "{\"name\":[1]}", "not json" })
	void invalidBodiesAre400AndWriteNothing(String body) {
		long before = count();
		expectProblem(postJson("/api/admin/users", adminToken(), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(count()).isEqualTo(before);
	}

	@Test
	void usersAreForbidden() {
		expectProblem(postJson("/api/admin/users", userToken(5), "{\"name\":\"Eve\"}"), HttpStatus.FORBIDDEN, "FORBIDDEN");
	}

	private long count() {
		return this.db.sql("SELECT COUNT(*) AS n FROM users").map((row) -> row.get("n", Long.class)).one().block();
	}

}
