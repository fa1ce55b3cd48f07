package com.example.flashsale.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static com.example.flashsale.product.ProductFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/orders/{orderId}/events} (docs/flows.md "Order status stream"): the current status at
 * once (after an {@code :open} comment sent at once), changes as they happen, heartbeats,
 * {@code Last-Event-ID} (one ahead of the log ignored), completion after a final status, at most five open
 * streams per user (429 beyond), and 404 for another user's order. The cross-instance case is in {@code TwoInstancesTest}.
 */
class OrderStatusStreamTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga");

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
	};

	@Autowired
	DatabaseClient db;

	@Autowired
	DatabaseFaults faults;

	@Autowired
	PendingOrderRecovery recovery;

	@Autowired
	MeterRegistry meters;

	private double watchedOrders() {
		return this.meters.get(OrderStatusEvents.WATCHED_ORDERS).gauge().value();
	}

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	private Flux<ServerSentEvent<Map<String, Object>>> events(String token, long orderId, String lastEventId) {
		return this.client.get().uri("/api/orders/{id}/events", orderId)
			.headers((h) -> {
				h.setBearerAuth(token);
				if (lastEventId != null) {
					h.set("Last-Event-ID", lastEventId);
				}
			})
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus().isOk()
			.expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.returnResult(EVENT)
			.getResponseBody();
	}

	/** Status events only (heartbeat comments left out). */
	private Flux<ServerSentEvent<Map<String, Object>>> statusEvents(String token, long orderId, String lastEventId) {
		return events(token, orderId, lastEventId).filter((event) -> event.data() != null);
	}

	private static boolean isStatus(ServerSentEvent<Map<String, Object>> event, long orderId, String status) {
		return OrderStatusStream.EVENT.equals(event.event()) && event.id() != null && event.id().matches("\\d+-\\d+")
				&& ((Number) event.data().get("orderId")).longValue() == orderId && status.equals(event.data().get("status"))
				&& event.data().get("at") != null;
	}

	@Test
	void aPaidOrderStreamsPaidThenItsDeliveryAndCompletes() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed", 1_000, 5);
		Map<String, Object> paid = place(this.client, token, newKey(), body(productId, 1)).expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody();
		long orderId = ((Number) paid.get("orderId")).longValue();

		double watchedBefore = watchedOrders();
		StepVerifier.create(statusEvents(token, orderId, null))
			.expectNextMatches((event) -> isStatus(event, orderId, "PAID"))
			.expectNextMatches((event) -> isStatus(event, orderId, "DATA_PLATFORM_SENT"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));
		// a finished stream stops watching its order
		await().atMost(Duration.ofSeconds(5)).until(() -> watchedOrders() == watchedBefore);
	}

	@Test
	void aReconnectAfterPaidGetsTheDeliveryAndCompletes() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Resumed", 1_000, 5);
		Map<String, Object> paid = place(this.client, token, newKey(), body(productId, 1)).expectStatus().isCreated()
			.expectBody(JSON).returnResult().getResponseBody();
		long orderId = ((Number) paid.get("orderId")).longValue();
		List<ServerSentEvent<Map<String, Object>>> first = statusEvents(token, orderId, null).collectList()
			.block(Duration.ofSeconds(15));
		assertThat(first).hasSize(2);
		assertThat(isStatus(first.get(0), orderId, "PAID")).isTrue();

		// a client cut after PAID (a restarted instance behind a load balancer) resumes from PAID's id
		StepVerifier.create(statusEvents(token, orderId, first.get(0).id()))
			.expectNextMatches((event) -> isStatus(event, orderId, "DATA_PLATFORM_SENT"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));
	}

	@Test
	void aPendingOrderStreamsPendingThenTheRecoveryLiveAndAReconnectGetsWhatItMissed() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed pending", 1_000, 5);
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1);
		String[] pendingId = new String[1];

		StepVerifier.create(statusEvents(token, orderId, null))
			.expectNextMatches((event) -> {
				pendingId[0] = event.id();
				return isStatus(event, orderId, "PENDING");
			})
			.then(() -> assertThat(this.recovery.compensate(orderId).block()).isTrue())
			.expectNextMatches((event) -> isStatus(event, orderId, "CANCELED"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));

		StepVerifier.create(statusEvents(token, orderId, pendingId[0]))
			.as("a reconnect with Last-Event-ID gets only what came after it")
			.expectNextMatches((event) -> isStatus(event, orderId, "CANCELED"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));
		StepVerifier.create(statusEvents(token, orderId, "not-an-event-id"))
			.as("an unknown Last-Event-ID gets the current status")
			.expectNextMatches((event) -> isStatus(event, orderId, "CANCELED"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));
	}

	@Test
	void heartbeatsKeepAnIdleStreamAliveAndCatchAChangeWhosePublishWasLost() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed silently", 1_000, 5);
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1);

		long opened = System.nanoTime();
		StepVerifier.create(events(token, orderId, null))
			// the headers and a first comment at once, not at the first heartbeat
			.expectNextMatches((event) -> event.data() == null && OrderStatusStream.OPENED.equals(event.comment())
					&& Duration.ofNanos(System.nanoTime() - opened).compareTo(Duration.ofSeconds(1)) < 0)
			.expectNextMatches((event) -> isStatus(event, orderId, "PENDING"))
			.expectNextMatches((event) -> event.data() == null && "heartbeat".equals(event.comment()))
			// a change nobody published (as if the pub/sub message were lost): the next heartbeat finds it
			.then(() -> this.db.sql("UPDATE orders SET status = 'FAILED', failure_reason = 'TEST' WHERE id = ?")
				.bind(0, orderId).then().block())
			.thenConsumeWhile((event) -> event.data() == null)
			.expectNextMatches((event) -> isStatus(event, orderId, "FAILED"))
			.thenConsumeWhile((event) -> event.data() == null)
			.expectComplete()
			.verify(Duration.ofSeconds(15));
	}

	@Test
	void aLastEventIdAheadOfTheLogIsIgnoredSoTheStreamSendsTheStatusAndEnds() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed ahead", 1_000, 5);
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1);

		StepVerifier.create(statusEvents(token, orderId, "99999999999999-0"))
			.expectNextMatches((event) -> isStatus(event, orderId, "PENDING"))
			.then(() -> assertThat(this.recovery.compensate(orderId).block()).isTrue())
			.expectNextMatches((event) -> isStatus(event, orderId, "CANCELED"))
			.expectComplete()
			.verify(Duration.ofSeconds(15));
	}

	@Test
	void aUserMayHoldFiveStreamsTheSixthIs429UntilOneCloses() throws InterruptedException {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Streamed often", 1_000, 5);
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1);
		CountDownLatch opened = new CountDownLatch(5);
		List<Disposable> streams = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			AtomicBoolean first = new AtomicBoolean(true);
			streams.add(parallelClient().get().uri("/api/orders/{id}/events", orderId)
				.headers((h) -> h.setBearerAuth(token)).accept(MediaType.TEXT_EVENT_STREAM)
				.retrieve().bodyToFlux(EVENT)
				.subscribe((event) -> {
					if (first.getAndSet(false)) {
						opened.countDown();
					}
				}));
		}
		try {
			assertThat(opened.await(15, TimeUnit.SECONDS)).isTrue();
			WebTestClient.ResponseSpec sixth = this.client.get().uri("/api/orders/{id}/events", orderId)
				.headers((h) -> h.setBearerAuth(token)).accept(MediaType.TEXT_EVENT_STREAM).exchange();
			sixth.expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5");
			expectProblem(sixth, HttpStatus.TOO_MANY_REQUESTS, "TOO_MANY_STREAMS");
			// another user is not affected
			long other = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);
			expectProblem(this.client.get().uri("/api/orders/{id}/events", orderId)
				.headers((h) -> h.setBearerAuth(userToken(other))).accept(MediaType.TEXT_EVENT_STREAM).exchange(),
					HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");

			streams.remove(0).dispose();
			// a closed stream frees its slot
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
				.untilAsserted(() -> StepVerifier.create(events(token, orderId, null))
					.expectNextMatches((event) -> OrderStatusStream.OPENED.equals(event.comment()))
					.thenCancel()
					.verify(Duration.ofSeconds(5)));
		}
		finally {
			streams.forEach(Disposable::dispose);
		}
	}

	@Test
	void anotherUsersOrUnknownOrderIs404AndABadIdIs400() {
		long owner = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		long productId = ProductFixtures.create(this.client, adminToken(), "Private stream", 1_000, 5);
		Map<String, Object> paid = place(this.client, userToken(owner), newKey(), body(productId, 1))
			.expectStatus().isCreated().expectBody(JSON).returnResult().getResponseBody();
		long orderId = ((Number) paid.get("orderId")).longValue();
		long stranger = OrderFixtures.buyer(this.client, adminToken(), this.db, 0);

		expectProblem(this.client.get().uri("/api/orders/{id}/events", orderId)
			.headers((h) -> h.setBearerAuth(userToken(stranger))).accept(MediaType.TEXT_EVENT_STREAM).exchange(),
				HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/orders/{id}/events", Long.MAX_VALUE)
			.headers((h) -> h.setBearerAuth(userToken(owner))).accept(MediaType.TEXT_EVENT_STREAM).exchange(),
				HttpStatus.NOT_FOUND, "ORDER_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/orders/abc/events")
			.headers((h) -> h.setBearerAuth(userToken(owner))).accept(MediaType.TEXT_EVENT_STREAM).exchange(),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		this.client.get().uri("/api/orders/{id}/events", orderId).accept(MediaType.TEXT_EVENT_STREAM).exchange()
			.expectStatus().isUnauthorized();
	}

}
