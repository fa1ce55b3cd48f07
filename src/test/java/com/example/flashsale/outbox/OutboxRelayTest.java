package com.example.flashsale.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.DataPlatformStub;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.product.ProductFixtures;

import static com.example.flashsale.product.ProductFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox relay against a real HTTP server in the test JVM ({@link DataPlatformStub}) and the real
 * database (docs/flows.md "After commit: the outbox relay"): delivery with an event id, retries after 500s
 * and timeouts, FAILED after max-attempts and the operators' read and retry, orders unaffected by a hanging
 * data platform, nothing lost when a relay dies mid-batch, and no event sent twice by concurrent relays.
 */
class OutboxRelayTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.outbox.OutboxRelay");

	private static final AtomicLong keys = new AtomicLong(System.nanoTime());

	private final DataPlatformStub stub = DataPlatformStub.get();

	@Autowired
	DatabaseClient db;

	@Autowired
	OutboxRelay relay;

	@Autowired
	OutboxRepository repository;

	@Autowired
	MeterRegistry meters;

	@Autowired
	DataPlatformClient dataPlatform;

	@BeforeEach
	void closedBreaker() {
		this.dataPlatform.resetCircuitBreaker();
	}

	@AfterEach
	void healthyAgain() {
		this.stub.reset();
		if (!this.relay.isRunning()) {
			this.relay.start();
		}
	}

	/** Places {@code count} paid orders of one product by one buyer; their order ids. */
	private List<Long> paidOrders(int count) {
		long userId = BalanceFixtures.newAccount(this.client, adminToken());
		BalanceFixtures.seedCharges(this.db, userId, 1, 1_000L * count);
		long productId = ProductFixtures.create(this.client, adminToken(), "Relayed", 1_000, count);
		List<Long> orderIds = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Map<String, Object> paid = this.client.post().uri("/api/orders")
				.headers((h) -> {
					h.setBearerAuth(userToken(userId));
					h.set("Idempotency-Key", "relay-" + keys.incrementAndGet());
				})
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"items\":[{\"productId\":" + productId + ",\"quantity\":1}]}")
				.exchange()
				.expectStatus().isCreated()
				.expectBody(JSON).returnResult().getResponseBody();
			orderIds.add(((Number) paid.get("orderId")).longValue());
		}
		return orderIds;
	}

	private Map<String, Object> eventOf(long orderId) {
		return this.db.sql("SELECT id, status, attempts, sent_at, last_error FROM order_events WHERE order_id = ?")
			.bind(0, orderId).fetch().one().block();
	}

	private long eventId(long orderId) {
		return ((Number) eventOf(orderId).get("id")).longValue();
	}

	private void awaitStatus(long orderId, String status) {
		await().atMost(Duration.ofSeconds(20)).until(() -> status.equals(eventOf(orderId).get("status")));
	}

	@Test
	void aPaidOrdersEventIsDeliveredOnceWithItsEventIdAndMarkedSent() {
		long orderId = paidOrders(1).get(0);
		awaitStatus(orderId, "SENT");

		long eventId = eventId(orderId);
		Map<String, Object> event = eventOf(orderId);
		assertThat(event.get("sent_at")).isNotNull();
		assertThat(((Number) event.get("attempts")).intValue()).isOne();
		assertThat(this.stub.deliveriesOf(Long.toString(eventId))).isOne();
		String body = this.stub.bodies().stream().filter((b) -> b.contains("\"eventId\":\"" + eventId + "\"")).findFirst()
			.orElseThrow();
		assertThat(body).contains("\"eventType\":\"ORDER_PAID\"", "\"orderId\":" + orderId, "\"paidAmount\":1000",
				"\"items\":[{\"productId\"");
	}

	@Test
	void serverErrorsAndTimeoutsAreRetriedWithBackoffUntilDelivered() {
		this.stub.answer(500);
		long failing = paidOrders(1).get(0);
		await().atMost(Duration.ofSeconds(20)).until(() -> eventOf(failing).get("last_error") != null);
		assertThat(eventOf(failing)).containsEntry("status", "PENDING");
		this.stub.reset();
		awaitStatus(failing, "SENT");
		assertThat(this.stub.deliveriesOf(Long.toString(eventId(failing)))).isGreaterThan(1);

		this.stub.delay(1_500);
		long slow = paidOrders(1).get(0);
		await().atMost(Duration.ofSeconds(20)).until(() -> eventOf(slow).get("last_error") != null);
		assertThat(eventOf(slow)).containsEntry("status", "PENDING");
		assertThat((String) eventOf(slow).get("last_error")).containsIgnoringCase("timeout");
		this.stub.reset();
		awaitStatus(slow, "SENT");
	}

	@Test
	void afterMaxAttemptsAnEventIsFailedForOperatorsWhoCanRequeueIt() {
		double failedBefore = this.meters.counter("outbox.events.failed").count();
		this.stub.answer(500);
		long orderId = paidOrders(1).get(0);
		awaitStatus(orderId, "FAILED");
		long eventId = eventId(orderId);
		assertThat(((Number) eventOf(orderId).get("attempts")).intValue()).isEqualTo(3);
		assertThat(this.meters.counter("outbox.events.failed").count()).isGreaterThan(failedBefore);
		// an operator's error, kept off the console of this test run only
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(EXPECTED.messages())
			.anyMatch((message) -> message.startsWith("Outbox event " + eventId + " of order " + orderId + " FAILED after 3")));

		this.client.get().uri("/api/admin/outbox/events?status=FAILED&size=100").headers((h) -> h.setBearerAuth(adminToken()))
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("FAILED")
			.jsonPath("$.counts.FAILED").isNumber()
			.jsonPath("$.events[?(@.id == " + eventId + ")].orderId").isEqualTo((int) orderId)
			.jsonPath("$.events[?(@.id == " + eventId + ")].lastError").isNotEmpty();

		this.stub.reset();
		this.client.post().uri("/api/admin/outbox/events/{id}/retry", eventId).headers((h) -> h.setBearerAuth(adminToken()))
			.exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("PENDING");
		awaitStatus(orderId, "SENT");
		expectProblem(this.client.post().uri("/api/admin/outbox/events/{id}/retry", eventId)
			.headers((h) -> h.setBearerAuth(adminToken())).exchange(), HttpStatus.NOT_FOUND, "OUTBOX_EVENT_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/admin/outbox/events?status=LOST").headers((h) -> h.setBearerAuth(adminToken()))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		expectProblem(this.client.get().uri("/api/admin/outbox/events?size=101").headers((h) -> h.setBearerAuth(adminToken()))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		this.client.get().uri("/api/admin/outbox/events").headers((h) -> h.setBearerAuth(userToken(orderId)))
			.exchange()
			.expectStatus().isForbidden();
	}

	@Test
	void aFailingDataPlatformOpensTheCircuitBreakerAndIsLeftAloneWhileItIsOpen() {
		this.stub.answer(500);
		List<Long> orderIds = paidOrders(6);
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(this.dataPlatform::isOpen);
		assertThat(this.relay.relayOnce().block()).as("nothing is claimed while it is open").isZero();
		this.stub.reset();
		orderIds.forEach((orderId) -> await().atMost(Duration.ofSeconds(20))
			.until(() -> !"PENDING".equals(eventOf(orderId).get("status"))));
	}

	@Test
	void concurrentDeliveriesNeverBlockAnEventLoopThread() {
		this.stub.answer(500);
		// each outcome is recorded in the breaker's sliding window on the thread the answer arrived on; a
		// BlockHound error there is dropped by the operators (and the delivery hangs), so watch the drops too
		Queue<Throwable> blocked = new ConcurrentLinkedQueue<>();
		Hooks.onErrorDropped((ex) -> {
			if (ex instanceof BlockingOperationError) {
				blocked.add(ex);
			}
		});
		try {
			Flux.range(0, 3_000)
				.flatMap((i) -> this.dataPlatform
					.send(new DataPlatformClient.DataPlatformEvent("probe-" + i, "PROBE", 0, Instant.now(), "{}"))
					.subscribeOn(Schedulers.parallel())
					.timeout(Duration.ofSeconds(5))
					.onErrorResume((ex) -> {
						if (ex instanceof BlockingOperationError || ex.getCause() instanceof BlockingOperationError) {
							blocked.add(ex);
						}
						return Mono.empty();
					}), 512)
				.blockLast(Duration.ofSeconds(90));
		}
		finally {
			Hooks.resetOnErrorDropped();
		}
		assertThat(blocked).isEmpty();
	}

	@Test
	void ordersAreAnsweredAtOnceWhileTheDataPlatformHangs() {
		this.stub.delay(10_000);
		long start = System.nanoTime();
		List<Long> orderIds = paidOrders(10);
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		// ten orders would take 100 s if any waited for the data platform
		assertThat(took).isLessThan(Duration.ofSeconds(10));
		assertThat(orderIds).hasSize(10);
		this.stub.reset();
		orderIds.forEach((orderId) -> awaitStatus(orderId, "SENT"));
	}

	@Test
	void eventsARelayClaimedBeforeDyingAreDeliveredWhenTheirLeaseEnds() {
		this.relay.stop();
		List<Long> orderIds = paidOrders(12);
		// a relay that claims six events and dies before sending them
		Instant now = Instant.now();
		List<OutboxRepository.ClaimedEvent> orphaned = this.repository.claimDue(now.plusSeconds(1), 1_000, now.plusSeconds(3))
			.block();
		assertThat(orphaned).isNotEmpty();
		// a relay killed mid-flight: its requests are cut off while the data platform is answering them
		this.stub.delay(800);
		this.relay.start();
		await().pollDelay(Duration.ofMillis(300)).until(() -> true);
		this.relay.stop();
		this.stub.reset();
		this.relay.start();

		orderIds.forEach((orderId) -> awaitStatus(orderId, "SENT"));
		for (long orderId : orderIds) {
			assertThat(this.stub.deliveriesOf(Long.toString(eventId(orderId)))).as("delivered at least once").isPositive();
		}
	}

	@Test
	void aBatchThatWouldOutlastItsLeaseIsCutOffAndTheRestIsSentAfterTheLease() {
		this.relay.stop();
		List<Long> orderIds = paidOrders(100);
		// each delivery succeeds after 0.9 s: a batch of 100, 16 at a time, needs about 6 s, more than the
		// 4 s the 5 s lease leaves for sending
		this.stub.delay(900);
		this.relay.relayOnce().block();
		long cutOff = orderIds.stream().map(this::eventOf).filter((event) -> "PENDING".equals(event.get("status"))).count();
		assertThat(cutOff).as("events still leased and unsent when the budget ran out").isPositive();
		assertThat(orderIds.stream().map(this::eventOf).filter((event) -> "SENT".equals(event.get("status"))).count())
			.as("events sent within the budget").isPositive();
		this.stub.reset();
		this.relay.start();
		orderIds.forEach((orderId) -> awaitStatus(orderId, "SENT"));
	}

	@Test
	void concurrentRelaysNeverSendOneEventAtTheSameTime() {
		this.relay.stop();
		List<Long> orderIds = paidOrders(40);
		// four relays at once, as four instances would, until nothing is due
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			Flux.range(0, 4).flatMap((relayNo) -> this.relay.relayOnce().subscribeOn(Schedulers.parallel())).blockLast();
			return orderIds.stream().allMatch((orderId) -> "SENT".equals(eventOf(orderId).get("status")));
		});
		for (long orderId : orderIds) {
			String eventId = Long.toString(eventId(orderId));
			// a retry after a slow answer may deliver an event again (at least once), but never two relays at once
			assertThat(this.stub.deliveriesOf(eventId)).as("deliveries of the event of order " + orderId).isPositive();
			assertThat(this.stub.mostAtOnce(eventId)).as("concurrent deliveries of the event of order " + orderId).isOne();
		}
	}

}
