package com.example.flashsale.waitingroom;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.SecondInstance;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One waiting room served by two instances against one database and one Redis (docs/flows.md "Waiting room"):
 * a room opened on one is enforced by the other; tickets taken on either are listened to on the other and
 * admitted once each; admissions made on one are spent on the other; an instance stopped with open tickets
 * loses none of them.
 */
class WaitingRoomTwoInstancesTest extends IntegrationTest {

	private static ConfigurableApplicationContext second;

	@Autowired
	ApplicationContext first;

	@Autowired
	DatabaseClient db;

	@AfterAll
	static void stopSecond() {
		if (second != null) {
			second.close();
			second = null;
		}
	}

	private ConfigurableApplicationContext second() {
		if (second == null) {
			second = SecondInstance.start(this.first);
		}
		return second;
	}

	private WebClient secondClient() {
		return WebClient.builder().baseUrl(SecondInstance.baseUrl(second())).build();
	}

	@Test
	void bothInstancesServeOneRoomAndEachTicketIsAdmittedOnce() {
		WebClient onB = secondClient();
		WebClient onA = parallelClient();
		int holders = 20;
		int coupons = 12;
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), coupons);
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 10, Instant.now().plusSeconds(2));
		long firstUser = CouponFixtures.freshUsers(holders);

		// B reads the room opened on A within its refresh interval
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(onB.post()
			.uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(userToken(firstUser)))).block())
			.isEqualTo(403));

		// even users take their ticket on A and listen on B, odd ones the other way round
		List<Object[]> heard = Flux.range(0, holders).flatMap((i) -> {
			String token = userToken(firstUser + i);
			WebClient taker = (i % 2 == 0) ? onA : onB;
			WebClient listener = (i % 2 == 0) ? onB : onA;
			return taker.post().uri("/api/waiting-room/{id}/tickets", roomId).headers((h) -> h.setBearerAuth(token)).retrieve()
				.bodyToMono(ProductFixtures.JSON)
				.retryWhen(Retry.backoff(5, Duration.ofMillis(200))
					.filter((ex) -> ex instanceof WebClientResponseException.ServiceUnavailable))
				.flatMap((ticket) -> RoomFixtures.events(listener, token, roomId, ((Number) ticket.get("ticketId")).longValue())
					.take(Duration.ofSeconds(30)).collectList())
				.map((events) -> new Object[] { firstUser + i, RoomFixtures.Heard.of(events), i });
		}, holders).collectList().block(Duration.ofSeconds(45));

		assertThat(heard).hasSize(holders);
		for (Object[] h : heard) {
			RoomFixtures.Heard one = (RoomFixtures.Heard) h[1];
			assertThat(one.neverBackwards()).as(one.toString()).isTrue();
			assertThat(one.admissionToken()).as(one.toString()).isNotNull();
		}
		// each admission spent on the instance it was not made on, once
		List<Integer> statuses = Flux.fromIterable(heard).flatMap((h) -> {
			WebClient spender = (((int) h[2]) % 2 == 0) ? onA : onB;
			String admission = ((RoomFixtures.Heard) h[1]).admissionToken();
			return RoomFixtures.spend(spender, userToken((long) h[0]), couponId, admission);
		}).collectList().block(Duration.ofSeconds(30));
		// 409: a claim answered 503 after it was decided, committed since (its retry with the same token is let in)
		assertThat(statuses).as(statuses.toString()).filteredOn((s) -> s == 201 || s == 409).hasSize(coupons);
		assertThat(statuses).as(statuses.toString()).filteredOn((s) -> s == 410).hasSize(holders - coupons);
		assertThat(this.db.sql("SELECT COUNT(*) AS n FROM user_coupons WHERE coupon_id = ?").bind(0, couponId)
			.map((row) -> row.get("n", Long.class)).one().block()).isEqualTo(coupons);
		RoomFixtures.close(this.client, adminToken(), roomId);
	}

	@Test
	void aStoppedInstanceLosesNoTicket() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		// opens in 4 s: the ticket waits in the pre-queue while its instance goes away
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 10, Instant.now().plusSeconds(4));
		long user = CouponFixtures.freshUsers(1);
		String token = userToken(user);
		long ticketId = ((Number) secondClient().post().uri("/api/waiting-room/{id}/tickets", roomId)
			.headers((h) -> h.setBearerAuth(token)).retrieve().bodyToMono(ProductFixtures.JSON).block().get("ticketId"))
			.longValue();
		stopSecond();
		// the client reconnects to the instance still running: same ticket, admitted
		RoomFixtures.Heard heard = RoomFixtures.listen(parallelClient(), token, roomId, ticketId, Duration.ofSeconds(20));
		assertThat(heard.admissionToken()).as(heard.toString()).isNotNull();
		RoomFixtures.close(this.client, adminToken(), roomId);
	}

}
