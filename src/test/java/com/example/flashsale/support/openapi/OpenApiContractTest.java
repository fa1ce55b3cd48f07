package com.example.flashsale.support.openapi;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.OpenApiContract;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract check of docs/api.md "OpenAPI" does check: the shared client validates each answer, and
 * answers that break the document are caught (a missing member, a wrong type, a problem code the
 * document does not list for that status, an undocumented status or content type), while the service's
 * real answers pass.
 */
class OpenApiContractTest extends IntegrationTest {

	private static final String JSON = "application/json";

	private static final String PROBLEM = "application/problem+json";

	@Test
	void theSharedClientValidatesEachAnswer() {
		int before = OpenApiContract.validated();
		this.client.get().uri("/api/products").headers((h) -> h.setBearerAuth(userToken(1))).exchange()
			.expectStatus().isOk();
		expectProblem(this.client.get().uri("/api/products/{id}", Long.MAX_VALUE).headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange(), HttpStatus.NOT_FOUND, "PRODUCT_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/balance").exchange(), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		assertThat(OpenApiContract.validated()).isEqualTo(before + 3);
	}

	@Test
	void answersBreakingTheDocumentAreCaught() {
		assertThat(violations("GET", "/api/balance", 200, JSON, "{\"userId\":1,\"balance\":100}")).isEmpty();
		assertThat(violations("GET", "/api/balance", 200, JSON, "{\"userId\":1}")).isNotEmpty();
		assertThat(violations("GET", "/api/balance", 200, JSON, "{\"userId\":1,\"balance\":\"100\"}")).isNotEmpty();
		assertThat(violations("GET", "/api/balance", 200, "text/plain", "100")).isNotEmpty();
		assertThat(violations("GET", "/api/balance", 418, JSON, "{}")).isNotEmpty();
		assertThat(violations("GET", "/api/balance/transactions", 200, JSON,
				"{\"transactions\":[{\"id\":1,\"type\":\"CHARGE\",\"amount\":5,\"balanceAfter\":5,\"orderId\":null,"
						+ "\"status\":\"COMPLETED\",\"createdAt\":\"2026-11-21T06:42:25.268Z\"}],\"nextCursor\":null}"))
			.isEmpty();
		assertThat(violations("GET", "/api/balance/transactions", 200, JSON,
				"{\"transactions\":[{\"id\":1,\"type\":\"GIFT\",\"amount\":5,\"balanceAfter\":5,\"orderId\":null,"
						+ "\"status\":\"COMPLETED\",\"createdAt\":\"2026-11-21T06:42:25.268Z\"}],\"nextCursor\":null}"))
			.isNotEmpty();
		assertThat(violations("POST", "/api/balance/charge", 409, PROBLEM, problem(409, "CHARGE_IN_PROGRESS"))).isEmpty();
		assertThat(violations("POST", "/api/balance/charge", 409, PROBLEM, problem(409, "COUPON_ALREADY_ISSUED")))
			.isNotEmpty();
		assertThat(violations("POST", "/api/balance/charge", 409, PROBLEM, "{\"code\":\"CHARGE_IN_PROGRESS\"}"))
			.isNotEmpty();
		assertThat(violations("POST", "/api/balance/charge", 409, JSON, problem(409, "CHARGE_IN_PROGRESS"))).isNotEmpty();
		assertThat(violations("POST", "/api/orders", 402, PROBLEM,
				problem(402, "INSUFFICIENT_BALANCE").replace("}", ",\"orderId\":42}"))).isEmpty();
	}

	private java.util.List<String> violations(String method, String path, int status, String type, String body) {
		return OpenApiContract.violations("http://127.0.0.1:" + this.port, method, path, status, type, body);
	}

	private static String problem(int status, String code) {
		return "{\"type\":\"about:blank\",\"title\":\"t\",\"status\":" + status + ",\"detail\":\"d\",\"instance\":\"/api\","
				+ "\"code\":\"" + code + "\"}";
	}

}
