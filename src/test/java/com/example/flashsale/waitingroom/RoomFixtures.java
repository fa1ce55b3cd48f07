package com.example.flashsale.waitingroom;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;

/** Opening rooms, taking tickets and listening to them, for the waiting-room tests. */
public final class RoomFixtures {

	static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
	};

	private RoomFixtures() {
	}

	/** Opens a room on {@code type} {@code targetId} admitting {@code rate} a second from {@code opensAt} (null: now). */
	public static long open(WebTestClient client, String adminToken, String type, long targetId, int rate, Instant opensAt) {
		String body = "{\"targetType\":\"" + type + "\",\"targetId\":" + targetId + ",\"admissionsPerSecond\":" + rate
				+ ((opensAt != null) ? ",\"opensAt\":\"" + opensAt + "\"" : "") + "}";
		Map<String, Object> room = client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(adminToken))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isCreated()
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
		assertThat(room).containsEntry("targetType", type).containsEntry("admissionsPerSecond", rate);
		return ((Number) room.get("roomId")).longValue();
	}

	/** Closes a room. */
	public static void close(WebTestClient client, String adminToken, long roomId) {
		client.delete().uri("/api/admin/waiting-rooms/{id}", roomId).headers((h) -> h.setBearerAuth(adminToken)).exchange()
			.expectStatus().isOk();
	}

	/** Takes {@code token}'s ticket; its body. */
	public static Map<String, Object> take(WebTestClient client, String token, long roomId) {
		return client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(token)).exchange()
			.expectStatus().is2xxSuccessful()
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
	}

	/** The events of a ticket, heartbeats and comments left out. */
	static Flux<ServerSentEvent<Map<String, Object>>> events(WebClient client, String token, long roomId, long ticketId) {
		return client.get().uri("/api/waiting-room/{room}/tickets/{ticket}/events", roomId, ticketId)
			.headers((h) -> h.setBearerAuth(token))
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(EVENT)
			// a 503 before the stream began (this loaded box stalls past the Redis timeout now and then): a
			// browser's EventSource reconnects the same way
			.retryWhen(Retry.backoff(5, Duration.ofMillis(300))
				.filter((ex) -> ex instanceof org.springframework.web.reactive.function.client.WebClientResponseException.ServiceUnavailable))
			.filter((event) -> event.event() != null);
	}

	/** The events of a ticket opened as a browser's EventSource does: {@code ?streamToken=}, no Authorization header. */
	static Flux<ServerSentEvent<Map<String, Object>>> eventsWithStreamToken(WebClient client, String streamToken, long roomId,
			long ticketId) {
		return client.get().uri("/api/waiting-room/{room}/tickets/{ticket}/events?streamToken={token}", roomId, ticketId,
				streamToken)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(EVENT)
			.filter((event) -> event.event() != null);
	}

	/** What one ticket's stream said, to its end. */
	record Heard(List<Long> positions, String admissionToken, Instant expiresAt) {

		static Heard of(List<ServerSentEvent<Map<String, Object>>> events) {
			List<Long> positions = new ArrayList<>();
			String token = null;
			Instant expiresAt = null;
			for (ServerSentEvent<Map<String, Object>> event : events) {
				if ("position".equals(event.event())) {
					Object position = event.data().get("position");
					positions.add((position != null) ? ((Number) position).longValue() : null);
				}
				else if ("admitted".equals(event.event())) {
					token = (String) event.data().get("admissionToken");
					expiresAt = Instant.parse((String) event.data().get("expiresAt"));
				}
			}
			return new Heard(positions, token, expiresAt);
		}

		/** The numeric positions never rise. */
		boolean neverBackwards() {
			Long last = null;
			for (Long position : this.positions) {
				if (position == null) {
					continue;
				}
				if (last != null && position > last) {
					return false;
				}
				last = position;
			}
			return true;
		}

	}

	/**
	 * Claims {@code couponId} with an admission token; retried on 503 with the same token, as a client told
	 * to retry does (the token passes again for the same claim).
	 * @return the final status
	 */
	static Mono<Integer> spend(WebClient client, String token, long couponId, String admission) {
		return Mono.defer(() -> client.post().uri("/api/coupons/{id}/issue", couponId).headers((headers) -> {
			headers.setBearerAuth(token);
			headers.set(AdmissionGate.HEADER, admission);
		}).exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())))
			.flatMap((status) -> (status == 503) ? Mono.error(new IllegalStateException("503")) : Mono.just(status))
			.retryWhen(Retry.backoff(5, Duration.ofMillis(200)))
			.onErrorReturn(503);
	}

	/** Listens to a ticket to its end (at most {@code max}). */
	static Heard listen(WebClient client, String token, long roomId, long ticketId, Duration max) {
		return Heard.of(events(client, token, roomId, ticketId).take(max).collectList().block(max.plusSeconds(5)));
	}

}
