package com.example.flashsale.waitingroom;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The waiting room against the running service, MySQL and Redis (docs/api.md "Waiting room"): protection of the
 * coupon issue and of orders, admission tokens spent once, the pre-queue shuffled at the opening, positions
 * that never go backwards under real concurrency, abandoned tickets dropping out, bad input refused.
 */
class WaitingRoomApiTest extends IntegrationTest {

	@Autowired
	DatabaseClient db;

	@Autowired
	AdmissionTokens admissionTokens;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	AdmittedRequests admittedRequests;

	@Autowired
	RoomState roomState;

	private long issued(long couponId) {
		return this.db.sql("SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ?").bind(0, couponId)
			.map((row) -> row.get("n", Long.class)).one().block();
	}

	private WebTestClient.ResponseSpec issue(String token, long couponId, String admission) {
		return this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> {
			h.setBearerAuth(token);
			if (admission != null) {
				h.set(AdmissionGate.HEADER, admission);
			}
		}).exchange();
	}

	private WebTestClient.ResponseSpec order(String token, String key, long productId, String admission) {
		return this.client.post().uri("/api/orders").headers((h) -> {
			h.setBearerAuth(token);
			h.set("Idempotency-Key", key);
			if (admission != null) {
				h.set(AdmissionGate.HEADER, admission);
			}
		}).contentType(MediaType.APPLICATION_JSON).bodyValue("{\"items\":[{\"productId\":" + productId + ",\"quantity\":1}]}").exchange();
	}

	private static void problem(WebTestClient.ResponseSpec response, int status, String code) {
		response.expectStatus().isEqualTo(status).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.code").isEqualTo(code);
	}

	private WebClient streams() {
		return parallelClient();
	}

	@Test
	void aCouponBehindARoomNeedsAnAdmissionSpentOnce() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 50, null);
		long first = CouponFixtures.freshUsers(3);
		String alice = userToken(first);
		String bob = userToken(first + 1);

		problem(this.client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"COUPON\",\"targetId\":" + couponId + ",\"admissionsPerSecond\":5}").exchange(), 409,
				"ROOM_ALREADY_OPEN");
		issue(alice, couponId, null).expectStatus().isForbidden().expectBody()
			.jsonPath("$.code").isEqualTo("ADMISSION_REQUIRED")
			.jsonPath("$.roomId").isEqualTo(roomId);
		problem(issue(alice, couponId, "1.2.3.4.forged"), 403, "INVALID_ADMISSION_TOKEN");
		problem(issue(alice, couponId, this.admissionTokens.sign(first, roomId, 1, Instant.now().plusSeconds(60)) + "x"), 403,
				"INVALID_ADMISSION_TOKEN");
		problem(issue(alice, couponId, this.admissionTokens.sign(first, roomId, 999_999, Instant.now().minusSeconds(1))), 403,
				"INVALID_ADMISSION_TOKEN");
		problem(issue(alice, couponId, this.admissionTokens.sign(first, roomId + 1_000_000, 1, Instant.now().plusSeconds(60))),
				403, "INVALID_ADMISSION_TOKEN");
		assertThat(issued(couponId)).isZero();

		Map<String, Object> ticket = RoomFixtures.take(this.client, alice, roomId);
		long ticketId = ((Number) ticket.get("ticketId")).longValue();
		assertThat(ticket).containsKeys("position", "etaSeconds");
		this.client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(alice)).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.ticketId").isEqualTo(ticketId);
		problem(this.client.get().uri("/api/waiting-room/{room}/tickets/{ticket}/events", roomId, ticketId)
			.headers((h) -> h.setBearerAuth(bob)).exchange(), 404, "TICKET_NOT_FOUND");

		problem(this.client.post().uri("/api/waiting-room/{room}/tickets/{ticket}/stream-token", roomId, ticketId)
			.headers((h) -> h.setBearerAuth(bob)).exchange(), 404, "TICKET_NOT_FOUND");
		String streamToken = (String) this.client.post()
			.uri("/api/waiting-room/{room}/tickets/{ticket}/stream-token", roomId, ticketId)
			.headers((h) -> h.setBearerAuth(alice)).exchange()
			.expectStatus().isOk().expectBody(ProductFixtures.JSON).returnResult().getResponseBody().get("streamToken");
		// listened to as a browser's EventSource does: the stream token in the URL, no Authorization header
		RoomFixtures.Heard heard = RoomFixtures.Heard.of(RoomFixtures.eventsWithStreamToken(streams(), streamToken, roomId, ticketId)
			.take(Duration.ofSeconds(20)).collectList().block(Duration.ofSeconds(25)));
		assertThat(heard.admissionToken()).as("admitted: " + heard).isNotNull();
		assertThat(heard.neverBackwards()).isTrue();
		assertThat(heard.expiresAt()).isAfter(Instant.now());

		problem(issue(bob, couponId, heard.admissionToken()), 403, "INVALID_ADMISSION_TOKEN");
		issue(alice, couponId, heard.admissionToken()).expectStatus().isCreated();
		// the same token for the same claim passes the room; the event's own rule answers the retry
		problem(issue(alice, couponId, heard.admissionToken()), 409, "COUPON_ALREADY_ISSUED");
		assertThat(issued(couponId)).isEqualTo(1);

		this.client.get().uri("/api/admin/waiting-rooms/{id}", roomId).headers((h) -> h.setBearerAuth(adminToken())).exchange()
			.expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("OPEN").jsonPath("$.admitted").isEqualTo(1);
		this.client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
			.value((text) -> assertThat(text).contains("waitingroom_waiting{room=\"" + roomId + "\"")
				.contains("waitingroom_admissions_configured{room=\"" + roomId + "\""));

		RoomFixtures.close(this.client, adminToken(), roomId);
		problem(this.client.delete().uri("/api/admin/waiting-rooms/{id}", roomId).headers((h) -> h.setBearerAuth(adminToken()))
			.exchange(), 410, "ROOM_CLOSED");
		problem(this.client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(bob)).exchange(),
				410, "ROOM_CLOSED");
		problem(this.client.post().uri("/api/waiting-room/{id}/tickets", Long.MAX_VALUE).headers((h) -> h.setBearerAuth(bob))
			.exchange(), 404, "ROOM_NOT_FOUND");
		// closed: the event is open to everyone again
		issue(bob, couponId, null).expectStatus().isCreated();
	}

	@Test
	void anOrderAdmissionIsSpentByOneIdempotencyKey() {
		long productId = ProductFixtures.create(this.client, adminToken(), "Behind a room", 1_000, 5);
		long buyer = BalanceFixtures.newAccount(this.client, adminToken());
		BalanceFixtures.seedCharges(this.db, buyer, 1, 100_000);
		String token = userToken(buyer);
		long roomId = RoomFixtures.open(this.client, adminToken(), "PRODUCT", productId, 100, null);

		order(token, "k-" + System.nanoTime(), productId, null).expectStatus().isForbidden().expectBody()
			.jsonPath("$.code").isEqualTo("ADMISSION_REQUIRED")
			.jsonPath("$.roomId").isEqualTo(roomId);
		long ticketId = ((Number) RoomFixtures.take(this.client, token, roomId).get("ticketId")).longValue();
		RoomFixtures.Heard heard = RoomFixtures.listen(streams(), token, roomId, ticketId, Duration.ofSeconds(20));
		assertThat(heard.admissionToken()).isNotNull();

		String key = "k-" + System.nanoTime();
		Map<String, Object> placed = order(token, key, productId, heard.admissionToken()).expectStatus().isCreated()
			.expectBody(ProductFixtures.JSON).returnResult().getResponseBody();
		// a replay of the same request with the same token answers the first answer
		order(token, key, productId, heard.admissionToken()).expectStatus().isCreated().expectBody()
			.jsonPath("$.orderId").isEqualTo(((Number) placed.get("orderId")).longValue());
		problem(order(token, "k-" + System.nanoTime(), productId, heard.admissionToken()), 403, "INVALID_ADMISSION_TOKEN");
		assertThat(this.db.sql("SELECT COUNT(*) AS n FROM order_items WHERE product_id = ?").bind(0, productId)
			.map((row) -> row.get("n", Long.class)).one().block()).isEqualTo(1);
		RoomFixtures.close(this.client, adminToken(), roomId);
	}

	@Test
	void thePreQueueIsShuffledAtTheOpeningAndEveryTicketIsAdmittedInOrder() {
		int holders = 40;
		int coupons = 30;
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), coupons);
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 20, Instant.now().plusSeconds(5));
		long first = CouponFixtures.freshUsers(holders);
		WebClient parallel = parallelClient();

		// every user asks three times at once (one ticket each), then listens to it as a client does
		List<Object[]> heard = Flux.range(0, holders)
			.flatMap((i) -> Flux.range(0, 3).flatMap((n) -> takeAsync(parallel, userToken(first + i), roomId))
				.collectList()
				.flatMap((ids) -> {
					assertThat(ids).as("one ticket per user").containsOnly(ids.get(0));
					long[] ticket = { first + i, ids.get(0) };
					return RoomFixtures.events(parallel, userToken(first + i), roomId, ticket[1]).take(Duration.ofSeconds(40))
						.collectList().map((events) -> new Object[] { ticket, RoomFixtures.Heard.of(events) });
				}), holders)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(heard).hasSize(holders);
		assertThat(heard.stream().map((h) -> ((long[]) h[0])[1]).distinct()).hasSize(holders);
		List<Object[]> byAdmission = new ArrayList<>(heard);
		for (Object[] h : heard) {
			RoomFixtures.Heard one = (RoomFixtures.Heard) h[1];
			assertThat(one.neverBackwards()).as(one.toString()).isTrue();
			assertThat(one.admissionToken()).as(one.toString()).isNotNull();
		}
		// the tickets taken before the opening (on this loaded box some may come after it): their first
		// event had no position, their place was drawn at the opening
		byAdmission.removeIf((h) -> ((RoomFixtures.Heard) h[1]).positions().isEmpty()
				|| ((RoomFixtures.Heard) h[1]).positions().get(0) != null);
		assertThat(byAdmission).as("tickets in the pre-queue").hasSizeGreaterThan(10);
		// admission order: by admission time, then by the first place shown after the opening
		byAdmission.sort(Comparator.<Object[], Instant>comparing((h) -> ((RoomFixtures.Heard) h[1]).expiresAt())
			.thenComparing((h) -> firstNumber((RoomFixtures.Heard) h[1])));
		List<Long> admittedOrder = byAdmission.stream().map((h) -> ((long[]) h[0])[1]).toList();
		assertThat(admittedOrder).as("shuffled, not in arrival order").isNotEqualTo(admittedOrder.stream().sorted().toList());

		List<Integer> statuses = Flux.fromIterable(heard)
			.flatMap((h) -> RoomFixtures.spend(parallel, userToken(((long[]) h[0])[0]), couponId,
					((RoomFixtures.Heard) h[1]).admissionToken()), holders)
			.collectList()
			.block(Duration.ofSeconds(30));
		// 409: a claim answered 503 after it was decided, committed since (its retry with the same token is let in)
		assertThat(statuses).as(statuses.toString()).filteredOn((s) -> s == 201 || s == 409).hasSize(coupons);
		assertThat(statuses).as(statuses.toString()).filteredOn((s) -> s == 410).hasSize(holders - coupons);
		assertThat(issued(couponId)).isEqualTo(coupons);
		RoomFixtures.close(this.client, adminToken(), roomId);
	}

	private static long firstNumber(RoomFixtures.Heard heard) {
		return heard.positions().stream().filter((p) -> p != null).findFirst().orElse(0L);
	}

	private Mono<Long> takeAsync(WebClient client, String token, long roomId) {
		return client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(token))
			.retrieve().bodyToMono(ProductFixtures.JSON).map((body) -> ((Number) body.get("ticketId")).longValue())
			// a 503 (this loaded box stalls the JVM past the Redis timeout now and then) says retry: a client does
			.retryWhen(Retry.backoff(5, Duration.ofMillis(200))
				.filter((ex) -> ex instanceof WebClientResponseException.ServiceUnavailable));
	}

	@Test
	void aTicketNobodyListensToDropsOutAfterTheGrace() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		// opens in a minute: nobody is admitted meanwhile
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 10, Instant.now().plusSeconds(60));
		long first = CouponFixtures.freshUsers(2);
		String listening = userToken(first);
		String gone = userToken(first + 1);
		long kept = ((Number) RoomFixtures.take(this.client, listening, roomId).get("ticketId")).longValue();
		long dropped = ((Number) RoomFixtures.take(this.client, gone, roomId).get("ticketId")).longValue();
		var stream = RoomFixtures.events(streams(), listening, roomId, kept).subscribe();
		try {
			// looked up in Redis: asking the service would count as hearing from the holder
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> !this.redis.opsForHash()
				.hasKey(RoomState.keys(roomId).get(3), Long.toString(dropped)).block());
			assertThat(this.redis.opsForHash().hasKey(RoomState.keys(roomId).get(3), Long.toString(kept)).block()).isTrue();
			problem(this.client.get().uri("/api/waiting-room/{room}/tickets/{ticket}/events", roomId, dropped)
				.headers((h) -> h.setBearerAuth(gone)).exchange(), 404, "TICKET_NOT_FOUND");
			// the listener's ticket is still there; the other user may queue again, at the back
			this.client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(listening)).exchange()
				.expectStatus().isOk().expectBody().jsonPath("$.ticketId").isEqualTo(kept);
			this.client.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(gone)).exchange()
				.expectStatus().isCreated();
		}
		finally {
			stream.dispose();
			RoomFixtures.close(this.client, adminToken(), roomId);
		}
	}

	@Test
	void badInputIsRefusedAndChangesNothing() {
		IntStream.of(0, -1).forEach((rate) -> problem(this.client.post().uri("/api/admin/waiting-rooms")
			.headers((h) -> h.setBearerAuth(adminToken())).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"COUPON\",\"targetId\":1,\"admissionsPerSecond\":" + rate + "}").exchange(), 400,
				"INVALID_REQUEST"));
		problem(this.client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"SHOE\",\"targetId\":1,\"admissionsPerSecond\":5}").exchange(), 400, "INVALID_REQUEST");
		problem(this.client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(userToken(7)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"COUPON\",\"targetId\":1,\"admissionsPerSecond\":5}").exchange(), 403, "FORBIDDEN");
		problem(this.client.delete().uri("/api/admin/waiting-rooms/{id}", Long.MAX_VALUE)
			.headers((h) -> h.setBearerAuth(adminToken())).exchange(), 404, "ROOM_NOT_FOUND");
	}

	@Test
	void aRoomOpensOnlyInFrontOfATargetThatExists() {
		// ids no test creates and the warm-up does not reserve (its synthetic event and product are Long.MAX_VALUE)
		long missing = Long.MAX_VALUE / 2;
		long rooms = roomCount();
		problem(this.client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"COUPON\",\"targetId\":" + missing + ",\"admissionsPerSecond\":5}")
			.exchange(), 404, "COUPON_NOT_FOUND");
		problem(this.client.post().uri("/api/admin/waiting-rooms").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"targetType\":\"PRODUCT\",\"targetId\":" + missing + ",\"admissionsPerSecond\":5}")
			.exchange(), 404, "PRODUCT_NOT_FOUND");
		assertThat(roomCount()).isEqualTo(rooms);
	}

	@Test
	void onlyALiveAdmissionToTheTargetsOpenRoomPassesAFullLoadSheddingCap() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long otherCoupon = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 10, null);
		long user = CouponFixtures.freshUsers(1);
		Instant now = Instant.now();
		String live = this.admissionTokens.sign(user, roomId, 1, now.plusSeconds(60));
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.admittedRequests.paced(claim(couponId, live)));
			String signed = live.substring(0, live.length() - 1);
			String forged = signed + (live.endsWith("A") ? "B" : "A");
			assertThat(this.admittedRequests.paced(claim(couponId, forged))).as("forged").isFalse();
			assertThat(this.admittedRequests.paced(claim(couponId, this.admissionTokens.sign(user, roomId, 1, now.minusSeconds(1)))))
				.as("expired").isFalse();
			assertThat(this.admittedRequests.paced(claim(couponId, this.admissionTokens.sign(user, roomId + 1000, 1, now.plusSeconds(60)))))
				.as("a room that is not open").isFalse();
			assertThat(this.admittedRequests.paced(claim(otherCoupon, live))).as("another coupon event").isFalse();
			assertThat(this.admittedRequests.paced(MockServerHttpRequest.post("/api/orders").header(AdmissionGate.HEADER, live).build()))
				.as("an order, with a coupon room's token").isFalse();
			assertThat(this.admittedRequests.paced(MockServerHttpRequest.post("/api/coupons/{id}/issue", couponId).build()))
				.as("no token").isFalse();
		}
		finally {
			RoomFixtures.close(this.client, adminToken(), roomId);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.admittedRequests.paced(claim(couponId, live)));
	}

	private static MockServerHttpRequest claim(long couponId, String admission) {
		return MockServerHttpRequest.post("/api/coupons/{id}/issue", couponId).header(AdmissionGate.HEADER, admission).build();
	}

	@Test
	void aLateAdmissionStepAdmitsWhatTheWaitingLineWasOwedButAnIdleRoomSavesOneSecond() {
		// a room no MySQL row names: no pacer steps it but this test
		long roomId = 4_000_000_000_000L + System.nanoTime() % 1_000_000_000L;
		List<String> keys = RoomState.keys(roomId);
		Room room = new Room(roomId, TargetType.COUPON, 1, 10, Instant.now().minusSeconds(60), true);
		try {
			Set<ZSetOperations.TypedTuple<String>> line = IntStream.rangeClosed(1, 200)
				.mapToObj((ticket) -> ZSetOperations.TypedTuple.of(Long.toString(ticket), (double) ticket))
				.collect(Collectors.toSet());
			this.redis.opsForZSet().addAll(keys.get(2), line).block();
			// 3 s since the last step, a line waiting then: 3 s worth at 10 a second (and what the step's own
			// round trips took, on a slow box)
			long start = System.currentTimeMillis();
			long admitted = stepAfter(room, 3000, true);
			assertThat(admitted).isBetween(30L, 31L + (System.currentTimeMillis() - start) * 10 / 1000);
			assertThat(Double.parseDouble((String) this.redis.opsForHash().get(keys.get(0), "credit").block()))
				.as("what stays saved").isLessThanOrEqualTo(10);
			// 8 s late: the catch-up stops at 5 s worth
			assertThat(stepAfter(room, 8000, true)).isEqualTo(50);
			// 3 s with no one waiting: one second's worth, no burst
			assertThat(stepAfter(room, 3000, false)).isEqualTo(10);
			assertThat(this.redis.opsForHash().get(keys.get(0), "line").block()).as("a line still waits").isEqualTo("1");
		}
		finally {
			this.redis.delete(Flux.fromIterable(keys)).block();
		}
	}

	/** One admission step of {@code room} as if the previous one ran {@code lateMs} ago, a line waiting then or not. */
	private long stepAfter(Room room, long lateMs, boolean lineWaited) {
		long now = System.currentTimeMillis();
		this.redis.opsForHash().putAll(RoomState.keys(room.id()).get(0), Map.of("started", Long.toString(now - 60_000),
				"credit", "0", "last", Long.toString(now - lateMs), "line", lineWaited ? "1" : "0")).block();
		return this.roomState.admit(room, Duration.ofMinutes(5), Duration.ofMinutes(5), 1000, Duration.ofSeconds(5)).block()
			.admitted();
	}

	private long roomCount() {
		return this.db.sql("SELECT COUNT(*) AS n FROM waiting_rooms").map((row) -> row.get("n", Long.class)).one().block();
	}

}
