package com.example.flashsale.support.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The admission meters on {@code /actuator/prometheus} (docs/operations.md "Admission: rate limits, load shedding, sold out from memory"):
 * {@code flashsale.admission.refused{reason=rate_limited|overloaded, route}} counts the requests refused
 * with 429 {@code RATE_LIMITED} or 503 {@code OVERLOADED}, and
 * {@code flashsale.admission.rate_limit.local{route}} the rate-limit decisions this instance took with its
 * own bucket because Redis did not answer in time, {@code flashsale.admission.paced_past_cap{route}} the
 * requests let past a full load-shedding cap because a waiting room paced them already. The load shedder's permits show as Resilience4j's
 * {@code resilience4j.bulkhead.*} meters.
 */
@Component
public class AdmissionMetrics {

	static final String REFUSED = "flashsale.admission.refused";

	static final String LOCAL = "flashsale.admission.rate_limit.local";

	static final String PACED = "flashsale.admission.paced_past_cap";

	private final MeterRegistry meters;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	AdmissionMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	/** Registers the route's counters at 0, so dashboards see them before the first refusal. */
	void register(String reason, String route) {
		refusedCounter(reason, route);
		if ("rate_limited".equals(reason)) {
			localCounter(route);
		}
	}

	/** Counts a request of {@code route} refused for {@code reason} ({@code rate_limited} or {@code overloaded}). */
	void refused(String reason, String route) {
		refusedCounter(reason, route).increment();
	}

	/** Counts a rate-limit decision of {@code route} taken with the local bucket (Redis did not answer). */
	void local(String route) {
		localCounter(route).increment();
	}

	/** Counts a request of {@code route} let past its full cap because it was paced elsewhere ({@link PacedElsewhere}). */
	void pacedPastCap(String route) {
		counter(PACED, "Requests let past a full load-shedding cap: a waiting room paced them already", route).increment();
	}

	private Counter refusedCounter(String reason, String route) {
		return counter(REFUSED, "Requests refused by admission: 429 RATE_LIMITED or 503 OVERLOADED", route, "reason", reason);
	}

	private Counter localCounter(String route) {
		return counter(LOCAL, "Rate-limit decisions taken with this instance's own bucket because Redis did not answer", route);
	}

	/** The counter {@code name} of {@code route} and the further {@code tags} (key, value, ...), made once. */
	private Counter counter(String name, String description, String route, String... tags) {
		return this.counters.computeIfAbsent(name + "|" + route + "|" + String.join("|", tags), (key) -> Counter.builder(name)
			.description(description)
			.tag("route", route)
			.tags(tags)
			.register(this.meters));
	}

}
