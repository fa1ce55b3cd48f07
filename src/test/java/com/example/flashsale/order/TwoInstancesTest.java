package com.example.flashsale.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.ExpectedLogs;
import com.example.flashsale.DatabaseFaults;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.SecondInstance;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.product.ProductKeys;
import com.example.flashsale.support.jobs.SingleRunJobs;

import static com.example.flashsale.order.OrderFixtures.body;
import static com.example.flashsale.order.OrderFixtures.newKey;
import static com.example.flashsale.order.OrderFixtures.place;
import static com.example.flashsale.product.ProductFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two application instances in one test against one database and one Redis: the test's own instance
 * (A) and a second one started here (B) with the same connections. A status change made on one instance
 * reaches a stream open on the other; the job lock lets one instance run a job at a time; recovery run on
 * both at once compensates each order once.
 */
class TwoInstancesTest extends IntegrationTest {

	/** What this fault test makes the service log on purpose. */
	@RegisterExtension
	static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga");

	private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
	};

	private static ConfigurableApplicationContext second;

	@Autowired
	ApplicationContext first;

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	DatabaseFaults faults;

	@Autowired
	PendingOrderRecovery recovery;

	@Autowired
	SingleRunJobs jobs;

	@AfterEach
	void disarm() {
		this.faults.reset();
	}

	@AfterAll
	static void stopSecond() {
		if (second != null) {
			second.close();
			second = null;
		}
	}

	/** Instance B: the same application, its own server, pub/sub subscription and jobs; A's connections. */
	private ConfigurableApplicationContext second() {
		if (second == null) {
			second = SecondInstance.start(this.first);
			// starting it set logging up anew
			EXPECTED.attach();
		}
		return second;
	}

	private WebClient secondClient() {
		return WebClient.builder().baseUrl(SecondInstance.baseUrl(second())).build();
	}

	private long agedPendingOrder(String token, long productId) {
		long orderId = OrderFixtures.pendingOrder(this.client, this.faults, token, productId, 1);
		OrderFixtures.age(this.db, orderId);
		return orderId;
	}

	@Test
	void aStreamOnOneInstanceSeesAChangeTheOtherMade() {
		long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
		String token = userToken(userId);
		long productId = ProductFixtures.create(this.client, adminToken(), "Two instances", 1_000, 5);
		long orderId = agedPendingOrder(token, productId);

		Flux<ServerSentEvent<Map<String, Object>>> onB = secondClient().get()
			.uri("/api/orders/{id}/events", orderId)
			.headers((h) -> h.setBearerAuth(token))
			.accept(MediaType.TEXT_EVENT_STREAM)
			.retrieve()
			.bodyToFlux(EVENT)
			.filter((event) -> event.data() != null);

		StepVerifier.create(onB)
			.expectNextMatches((event) -> "PENDING".equals(event.data().get("status")))
			// instance A recovers the order; the stream is open on B
			.then(() -> assertThat(this.recovery.compensate(orderId).block()).isTrue())
			.expectNextMatches((event) -> "CANCELED".equals(event.data().get("status"))
					&& ((Number) event.data().get("orderId")).longValue() == orderId)
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void theJobLockLetsOneInstanceRunAJobAtATime() {
		SingleRunJobs jobsOnB = second().getBean(SingleRunJobs.class);
		String job = "two-instances-" + newKey();
		List<String> ran = Flux.merge(
				this.jobs.runAlone(job, Duration.ofSeconds(30), () -> Mono.delay(Duration.ofMillis(500)).thenReturn("A")),
				jobsOnB.runAlone(job, Duration.ofSeconds(30), () -> Mono.delay(Duration.ofMillis(500)).thenReturn("B")))
			.collectList()
			.block();
		assertThat(ran).hasSize(1);
		assertThat(this.jobs.runAlone(job, Duration.ofSeconds(30), () -> Mono.just("again")).block())
			.as("the lock is free once the job ended").isEqualTo("again");
	}

	@Test
	void recoveryRunningOnBothInstancesAtOnceCompensatesEachOrderOnce() {
		PendingOrderRecovery recoveryOnB = second().getBean(PendingOrderRecovery.class);
		long productId = ProductFixtures.create(this.client, adminToken(), "Recovered twice over", 1_000, 30);
		List<Long> orderIds = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			long userId = OrderFixtures.buyer(this.client, adminToken(), this.db, 10_000);
			orderIds.add(agedPendingOrder(userToken(userId), productId));
		}
		Long canceled = Flux.fromIterable(List.of(this.recovery, recoveryOnB, this.recovery, recoveryOnB))
			.flatMap((instance) -> Flux.fromIterable(orderIds).concatMap(instance::compensate).subscribeOn(Schedulers.parallel()))
			.filter(Boolean::booleanValue)
			.count()
			.block();
		assertThat(canceled).isEqualTo(orderIds.size());
		assertThat(Long.parseLong(this.redis.opsForValue().get(ProductKeys.stock(productId)).block()))
			.as("every reservation given back exactly once").isEqualTo(30);
	}

}
