package com.example.flashsale.order;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order status channel carries every change to every watcher, whichever Redis node holds the order's
 * status log: on a Redis Cluster ({@code SPRING_DATA_REDIS_CLUSTER_NODES}, docs/operations.md "Redis
 * Cluster") the publishing script runs on the master of {@code order-status:<orderId>}'s slot while the
 * subscription sits on one node, and PUBLISH reaches it over the cluster bus. The orders here are spread
 * over every master (asserted when on a cluster); on a single Redis the test is the plain channel's.
 */
class OrderStatusChannelTest extends IntegrationTest {

	@Autowired
	OrderStatusEvents events;

	@Autowired
	RedisConnectionFactory connections;

	@Test
	void everyPublishedChangeReachesItsWatcherWhicheverNodeHoldsTheOrdersLog() {
		long first = 9_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
		List<Long> orders = new ArrayList<>();
		for (long id = first; id < first + 48; id++) {
			orders.add(id);
		}
		if (this.connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
			Set<String> masters = new HashSet<>();
			try (RedisClusterConnection cluster = lettuce.getClusterConnection()) {
				for (long id : orders) {
					masters.add(cluster.clusterGetNodeForKey(OrderKeys.statusLog(id).getBytes()).getId());
				}
				Set<String> allMasters = new HashSet<>();
				cluster.clusterGetNodes().forEach((node) -> {
					if (node.isMaster()) {
						allMasters.add(node.getId());
					}
				});
				assertThat(masters).as("the orders' logs live on every master").isEqualTo(allMasters);
			}
		}
		Set<Long> received = ConcurrentHashMap.newKeySet();
		List<Runnable> stops = new ArrayList<>();
		for (long id : orders) {
			Sinks.Many<OrderStatusEvents.StatusEvent> sink = Sinks.many().multicast().directBestEffort();
			sink.asFlux().subscribe((event) -> received.add(event.orderId()));
			stops.add(this.events.watch(id, sink));
		}
		try {
			Instant at = Instant.now();
			Flux.fromIterable(orders)
				.flatMap((id) -> this.events.publish(id, OrderProgress.PENDING, at))
				.collectList()
				.block(Duration.ofSeconds(10));
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(received).containsExactlyInAnyOrderElementsOf(orders));
		}
		finally {
			stops.forEach(Runnable::run);
		}
	}

	/**
	 * Stopped and started again (the test framework pauses a cached context between test classes and
	 * restarts it), the subscription carries changes again: a stopped listener container cannot be reused.
	 */
	@Test
	void aRestartedSubscriptionCarriesChangesAgain() {
		this.events.stop();
		this.events.start();
		long orderId = 8_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
		Set<Long> received = ConcurrentHashMap.newKeySet();
		Sinks.Many<OrderStatusEvents.StatusEvent> sink = Sinks.many().multicast().directBestEffort();
		sink.asFlux().subscribe((event) -> received.add(event.orderId()));
		Runnable stop = this.events.watch(orderId, sink);
		try {
			this.events.publish(orderId, OrderProgress.PENDING, Instant.now()).block(Duration.ofSeconds(10));
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(received).containsExactly(orderId));
		}
		finally {
			stop.run();
		}
	}

}
