package com.example.flashsale.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.data-platform.*}: where outbox events go and how the relay delivers them.
 * @param baseUrl the data platform; events are {@code POST}ed to {@code <baseUrl>/orders}
 * @param timeout the longest one HTTP attempt may take (connect and response)
 * @param relay the relay's schedule and durable retries
 * @param retry the quick retries of one delivery, in process
 * @param circuitBreaker when to stop calling a failing data platform for a while
 */
@ConfigurationProperties("app.data-platform")
record OutboxProperties(@DefaultValue("http://127.0.0.1:8089") String baseUrl, @DefaultValue("2s") Duration timeout,
		@DefaultValue Relay relay, @DefaultValue Retry retry, @DefaultValue CircuitBreaker circuitBreaker) {

	/**
	 * {@code app.data-platform.relay.*}.
	 * @param enabled whether this instance relays at all
	 * @param pollInterval how often the relay looks for due events (a full batch is followed at once)
	 * @param batch most events claimed per pass
	 * @param concurrency most deliveries in flight at once
	 * @param lease how long a claimed event is this instance's: if it dies mid-batch, the event is due again
	 * after it (keep it above timeout x retry attempts plus their waits)
	 * @param maxAttempts deliveries (claims) before an event is FAILED for operators
	 * @param backoff the wait after a first failed delivery; doubles per attempt, with +-50 % jitter
	 * @param maxBackoff the longest wait between deliveries
	 * @param metricsInterval how often the backlog and lag gauges are read from MySQL
	 */
	record Relay(@DefaultValue("true") boolean enabled, @DefaultValue("500ms") Duration pollInterval,
			@DefaultValue("100") int batch, @DefaultValue("16") int concurrency, @DefaultValue("30s") Duration lease,
			@DefaultValue("10") int maxAttempts, @DefaultValue("1s") Duration backoff,
			@DefaultValue("5m") Duration maxBackoff, @DefaultValue("5s") Duration metricsInterval) {
	}

	/**
	 * {@code app.data-platform.retry.*}: Resilience4j retry around one delivery.
	 * @param maxAttempts HTTP attempts per delivery
	 * @param firstWait the wait before the second attempt; doubles, with +-50 % jitter
	 */
	record Retry(@DefaultValue("3") int maxAttempts, @DefaultValue("200ms") Duration firstWait) {
	}

	/**
	 * {@code app.data-platform.circuit-breaker.*}: Resilience4j circuit breaker over the data platform.
	 * @param failureRate the failure percentage over the window that opens it
	 * @param window the calls it judges by (count based)
	 * @param openFor how long it stays open before letting trial calls through
	 */
	record CircuitBreaker(@DefaultValue("50") float failureRate, @DefaultValue("20") int window,
			@DefaultValue("30s") Duration openFor) {
	}

}
