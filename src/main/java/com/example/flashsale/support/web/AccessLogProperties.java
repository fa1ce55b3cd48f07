package com.example.flashsale.support.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the access log ({@code app.access-log.*}, docs/architecture.md "Access log").
 *
 * @param enabled whether requests are logged at all
 * @param maxLinesPerSecond lines written per second at most; the rest are counted as dropped
 * @param queueCapacity lines waiting for the writer thread at most; beyond that they are dropped too
 * @param slowRequest a request still unanswered after this long is reported at WARN while it runs, and its
 * line, when it ends, is written whatever the cap (server-sent event streams are long by design and left out)
 */
@ConfigurationProperties("app.access-log")
public record AccessLogProperties(@DefaultValue("true") boolean enabled, @DefaultValue("200") int maxLinesPerSecond,
		@DefaultValue("10000") int queueCapacity, @DefaultValue("10s") Duration slowRequest) {

	/**
	 * @throws IllegalArgumentException when a bound is not positive
	 */
	public AccessLogProperties {
		if (maxLinesPerSecond < 1 || queueCapacity < 1) {
			throw new IllegalArgumentException("app.access-log.max-lines-per-second and queue-capacity must be at least 1");
		}
		if (slowRequest.isNegative() || slowRequest.isZero()) {
			throw new IllegalArgumentException("app.access-log.slow-request must be positive");
		}
	}

}
