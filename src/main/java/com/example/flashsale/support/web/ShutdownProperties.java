package com.example.flashsale.support.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.shutdown.*}: how an instance leaves a load balancer's pool (docs/operations.md "Several
 * instances behind a load balancer", docs/adr/0027).
 *
 * @param drainDelay how long an instance that was told to stop keeps serving, not ready, before its web
 * server stops taking connections: long enough for the balancer's readiness check to see it down (the
 * failed checks it needs, each interval plus check timeout: 3 s for the documented HAProxy check every
 * 500 ms, two failures); 0 stops at once (one instance, tests).
 */
@ConfigurationProperties("app.shutdown")
public record ShutdownProperties(@DefaultValue("3s") Duration drainDelay) {

	public ShutdownProperties {
		if (drainDelay.isNegative()) {
			throw new IllegalArgumentException("app.shutdown.drain-delay must not be negative");
		}
	}

}
