package com.example.flashsale.order;

import java.time.Duration;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

import com.example.flashsale.order.OrderResult.Paid;
import com.example.flashsale.order.OrderResult.Refused;
import com.example.flashsale.support.db.GroupCommit;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The order feature's meters (docs/operations.md "Metrics"):
 * <ul>
 * <li>{@code orders.placed}: every {@code POST /api/orders} answer by {@code outcome} (paid, refused,
 * pending, replayed, rejected: the key was busy or reused, or a backend failed before any order existed)
 * and {@code code} (the problem code, {@code none} for paid, pending and replayed);</li>
 * <li>{@code orders.placement} and {@code orders.payment}: latency histograms of the whole placement and of
 * the payment transaction, with SLO buckets from 5 ms to 2.5 s;</li>
 * <li>{@code sse.streams.open} (tag {@code stream=order-status}): status streams open on this instance.</li>
 * </ul>
 */
@Component
class OrderMetrics {

	private static final Duration[] SLOS = { Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
			Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
			Duration.ofSeconds(1), Duration.ofMillis(2500) };

	private final MeterRegistry registry;

	private final Map<String, Counter> placed = new ConcurrentHashMap<>();

	private final Timer placement;

	private final Timer payment;

	private final Map<String, DistributionSummary> groupSizes = new ConcurrentHashMap<>();

	private final AtomicInteger openStreams = new AtomicInteger();

	OrderMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.placement = Timer.builder("orders.placement")
			.description("Time to answer POST /api/orders, replays and refusals included")
			.serviceLevelObjectives(SLOS)
			.register(registry);
		this.payment = Timer.builder("orders.payment")
			.description("Time of the payment transaction, from its first statement to its commit")
			.serviceLevelObjectives(SLOS)
			.register(registry);
		Gauge.builder("sse.streams.open", this.openStreams, AtomicInteger::get)
			.description("Server-sent event streams open on this instance")
			.tag("stream", "order-status")
			.register(registry);
	}

	/** Counts a placement that ended with {@code result}. */
	void result(OrderResult result) {
		if (result instanceof Paid) {
			count("paid", "none");
		}
		else if (result instanceof Refused refused) {
			count("refused", refused.problem().code().name());
		}
		else {
			count("pending", "none");
		}
	}

	/** Counts an answer replayed for a key that already had one. */
	void replayed() {
		count("replayed", "none");
	}

	/** Counts a request answered with an error before any order existed. */
	void rejected(Throwable error) {
		count("rejected", (error instanceof ProblemException problem) ? problem.code().name() : "SERVICE_UNAVAILABLE");
	}

	/** Records how long one placement took. */
	void placement(long nanos) {
		this.placement.record(nanos, TimeUnit.NANOSECONDS);
	}

	/** Records how long one payment transaction took. */
	void payment(long nanos) {
		this.payment.record(nanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Records one group of {@code orders} orders at {@code stage} ({@code pending} or {@code payment}) that
	 * ended with {@code outcome} (tag {@code committed}, {@code rolled-back}, {@code not-committed} or
	 * {@code commit-unknown}).
	 */
	void group(String stage, int orders, GroupCommit.Outcome outcome) {
		this.groupSizes.computeIfAbsent(stage + '|' + outcome, (key) -> DistributionSummary.builder("orders.group")
			.description("Orders inserted or paid in one transaction (docs/architecture.md \"Orders in groups\")")
			.tag("stage", stage)
			.tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.register(this.registry)).record(orders);
	}

	/** A status stream opened; the returned action closes it. */
	Runnable streamOpened() {
		this.openStreams.incrementAndGet();
		return this.openStreams::decrementAndGet;
	}

	/** Status streams open on this instance now. */
	int openStreams() {
		return this.openStreams.get();
	}

	private void count(String outcome, String code) {
		this.placed.computeIfAbsent(outcome + '|' + code, (key) -> Counter.builder("orders.placed")
			.description("POST /api/orders answers by outcome and problem code")
			.tag("outcome", outcome)
			.tag("code", code)
			.register(this.registry)).increment();
	}

}
