package com.example.flashsale.outbox;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The data platform's HTTP API as the relay uses it (docs/flows.md "After commit: the outbox relay"):
 * {@code POST <base-url>/orders} with a {@link DataPlatformEvent} and an {@code Idempotency-Key} header
 * equal to its event id. Each delivery is one {@code WebClient} call with a timeout, wrapped in
 * Resilience4j's Reactor operators: a retry (exponential backoff with jitter; not on a 4xx, which another
 * attempt would not change, nor when the breaker is open) around a circuit breaker, so a data platform
 * that is down is left alone for {@code open-for} instead of being hammered. Meters: Resilience4j's
 * {@code resilience4j.circuitbreaker.*} and {@code resilience4j.retry.*}, name {@code data-platform}.
 */
@Component
class DataPlatformClient {

	private final WebClient client;

	private final CircuitBreaker circuitBreaker;

	private final Retry retry;

	private final OutboxProperties properties;

	DataPlatformClient(WebClient.Builder builder, OutboxProperties properties, MeterRegistry meters) {
		this.properties = properties;
		HttpClient http = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.timeout().toMillis())
			.responseTimeout(properties.timeout());
		this.client = builder.clone()
			.baseUrl(properties.baseUrl())
			.clientConnector(new ReactorClientHttpConnector(http))
			.build();
		OutboxProperties.CircuitBreaker breaker = properties.circuitBreaker();
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(breaker.window())
			// outcomes are recorded on event-loop threads: the default window guards itself with a
			// ReentrantLock, which parks an event loop under contention (BlockHound caught it)
			.slidingWindowSynchronizationStrategy(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
			.minimumNumberOfCalls(Math.max(1, breaker.window() / 2))
			.failureRateThreshold(breaker.failureRate())
			.waitDurationInOpenState(breaker.openFor())
			// the relay claims nothing while it is open, so no call would ever move it to half-open
			.automaticTransitionFromOpenToHalfOpenEnabled(true)
			.permittedNumberOfCallsInHalfOpenState(3)
			.build());
		this.circuitBreaker = breakers.circuitBreaker("data-platform");
		OutboxProperties.Retry retries = properties.retry();
		RetryRegistry retryRegistry = RetryRegistry.of(RetryConfig.custom()
			.maxAttempts(retries.maxAttempts())
			.intervalFunction(IntervalFunction.ofExponentialRandomBackoff(retries.firstWait(), 2.0, 0.5))
			.retryOnException((ex) -> !(ex instanceof CallNotPermittedException) && !isClientError(ex))
			.build());
		this.retry = retryRegistry.retry("data-platform");
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
		TaggedRetryMetrics.ofRetryRegistry(retryRegistry).bindTo(meters);
	}

	/**
	 * What the data platform receives for one outbox event.
	 * @param eventId the outbox row id as text: the same on every redelivery, so the receiver can ignore
	 * duplicates
	 * @param eventType e.g. {@code ORDER_PAID} (docs/domain.md "Outbox events")
	 * @param occurredAt when the event was recorded (with the order's commit)
	 * @param order the event's JSON payload as stored (the paid order: items, amounts in KRW)
	 */
	record DataPlatformEvent(String eventId, String eventType, long orderId, Instant occurredAt,
			@JsonRawValue String order) {
	}

	/**
	 * Delivers {@code event}.
	 * @return completes on a 2xx; errors with the last failure otherwise ({@link CallNotPermittedException}
	 * when the circuit breaker is open, a {@link WebClientResponseException} for an error status, a
	 * timeout or connection error)
	 */
	Mono<Void> send(DataPlatformEvent event) {
		return Mono.defer(() -> this.client.post()
				.uri("/orders")
				.contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", event.eventId())
				.bodyValue(event)
				.retrieve()
				.toBodilessEntity()
				.timeout(this.properties.timeout()))
			.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
			.transformDeferred(RetryOperator.of(this.retry))
			.then();
	}

	/** Whether the circuit breaker refuses calls now (the relay then claims nothing). */
	boolean isOpen() {
		return this.circuitBreaker.getState() == CircuitBreaker.State.OPEN
				|| this.circuitBreaker.getState() == CircuitBreaker.State.FORCED_OPEN;
	}

	/** Closes the circuit breaker and forgets its window: tests start each case from a healthy breaker. */
	void resetCircuitBreaker() {
		this.circuitBreaker.reset();
	}

	private static boolean isClientError(Throwable ex) {
		return ex instanceof WebClientResponseException response && response.getStatusCode().is4xxClientError();
	}

}
