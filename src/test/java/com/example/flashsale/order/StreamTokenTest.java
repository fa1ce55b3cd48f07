package com.example.flashsale.order;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams a browser can open (docs/api.md "Authentication", "Order status stream"): a stream token,
 * obtained with the bearer JWT, opens exactly its own stream as {@code ?streamToken=}; nothing else opens it
 * from a URL and it opens nothing else; the first event carries {@code retry:}; a reconnect to a finished
 * order that has every event is answered 204.
 */
class StreamTokenTest extends IntegrationTest {

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	/** A FAILED order (402: the buyer has no money) of a fresh buyer, and that buyer. */
	private long[] failedOrder() {
		long buyer = BalanceFixtures.newAccount(this.client, adminToken());
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed by token", 5_000, 5);
		Map<String, Object> problem = OrderFixtures.place(this.client, userToken(buyer), OrderFixtures.newKey(),
				OrderFixtures.body(productId, 1))
			.expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
			.expectBody(JSON).returnResult().getResponseBody();
		return new long[] { ((Number) problem.get("orderId")).longValue(), buyer };
	}

	private String streamToken(long orderId, String bearer) {
		Map<String, Object> issued = this.client.post().uri("/api/orders/{id}/stream-token", orderId)
			.headers((h) -> h.setBearerAuth(bearer))
			.exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		assertThat((String) issued.get("expiresAt")).isNotBlank();
		return (String) issued.get("streamToken");
	}

	@Test
	void aStreamTokenOpensItsOwnOrdersStreamWithoutAHeader() {
		long[] order = failedOrder();
		String token = streamToken(order[0], userToken(order[1]));
		List<ServerSentEvent<Map<String, Object>>> events = this.client.get()
			.uri("/api/orders/{id}/events?streamToken={token}", order[0], token)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus().isOk()
			.returnResult(EVENT)
			.getResponseBody()
			.filter((event) -> event.data() != null)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(events).hasSize(1);
		assertThat(events.get(0).data()).containsEntry("status", "FAILED");
		assertThat(events.get(0).retry()).as("retry: on the first event").isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void nothingElseOpensAStreamFromAUrlAndAStreamTokenOpensNothingElse() {
		long[] order = failedOrder();
		long[] other = failedOrder();
		String token = streamToken(order[0], userToken(order[1]));
		String bearer = userToken(order[1]);
		// another order's stream, a forged token, the long-lived JWT in the URL (either parameter)
		expectProblem(this.client.get().uri("/api/orders/{id}/events?streamToken={t}", other[0], token).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		expectProblem(this.client.get().uri("/api/orders/{id}/events?streamToken={t}", order[0], token + "x").exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		expectProblem(this.client.get().uri("/api/orders/{id}/events?streamToken={t}", order[0], bearer).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		expectProblem(this.client.get().uri("/api/orders/{id}/events?access_token={t}", order[0], bearer).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		// a stream token is no bearer token
		expectProblem(this.client.get().uri("/api/balance").headers((h) -> h.setBearerAuth(token)).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		// no token for another user's order, nor without a bearer
		expectProblem(this.client.post().uri("/api/orders/{id}/stream-token", other[0])
			.headers((h) -> h.setBearerAuth(bearer)).exchange(), HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");
		expectProblem(this.client.post().uri("/api/orders/{id}/stream-token", order[0]).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

	@Test
	void aReconnectToAFinishedOrderWithEveryEventIs204() {
		long[] order = failedOrder();
		String bearer = userToken(order[1]);
		ServerSentEvent<Map<String, Object>> last = this.client.get().uri("/api/orders/{id}/events", order[0])
			.headers((h) -> h.setBearerAuth(bearer))
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.returnResult(EVENT)
			.getResponseBody()
			.filter((event) -> event.data() != null)
			.blockLast(Duration.ofSeconds(10));
		this.client.get().uri("/api/orders/{id}/events", order[0])
			.headers((h) -> {
				h.setBearerAuth(bearer);
				h.set("Last-Event-ID", last.id());
			})
			.exchange()
			.expectStatus().isNoContent();
		// an id from before the final event still gets what it missed
		this.client.get().uri("/api/orders/{id}/events", order[0])
			.headers((h) -> {
				h.setBearerAuth(bearer);
				h.set("Last-Event-ID", "1-0");
			})
			.exchange()
			.expectStatus().isOk();
	}

	@Test
	void theOperatorsLiveStreamOpensWithAnAdminStreamToken() {
		expectProblem(this.client.post().uri("/api/admin/live/stream-token").headers((h) -> h.setBearerAuth(userToken(7)))
			.exchange(), HttpStatus.FORBIDDEN, "FORBIDDEN");
		Map<String, Object> issued = this.client.post().uri("/api/admin/live/stream-token")
			.headers((h) -> h.setBearerAuth(adminToken()))
			.exchange()
			.expectStatus().isOk()
			.expectBody(JSON).returnResult().getResponseBody();
		ServerSentEvent<Map<String, Object>> first = this.client.get()
			.uri("/api/admin/live?streamToken={t}", issued.get("streamToken"))
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus().isOk()
			.returnResult(EVENT)
			.getResponseBody()
			.blockFirst(Duration.ofSeconds(10));
		assertThat(first.event()).isEqualTo("snapshot");
		assertThat(first.data()).containsKeys("coupons", "products", "orders", "outbox", "streams");
		// an order's stream token does not open the operators' stream
		long[] order = failedOrder();
		String orderToken = streamToken(order[0], userToken(order[1]));
		expectProblem(this.client.get().uri("/api/admin/live?streamToken={t}", orderToken).exchange(),
				HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
	}

}
