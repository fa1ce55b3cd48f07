package com.example.flashsale.support.startup;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the startup warm-up ({@code app.warmup.*}, docs/operations.md "Cold start").
 *
 * @param enabled whether the service drives its hot paths before it reports ready (off in the test suite)
 * @param duration how long the requests are sent
 * @param concurrency requests in flight at once
 * @param timeout the most one request may take
 * @param compilerSettle the most time to wait, from the end of the requests, for the JIT compilers to finish
 * what the requests queued before the service reports ready (the clean-up runs meanwhile)
 * @param exit whether the process exits once the warm-up is done: the training run of an AOT cache with
 * the warm-up's method profiles ({@code bin/flashsale --train-live})
 * @param rehearsals whether the fixtures' rehearsals (paid orders in transactions rolled back) run beside the
 * requests
 */
@ConfigurationProperties("app.warmup")
public record WarmUpProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration duration,
		@DefaultValue("32") int concurrency, @DefaultValue("5s") Duration timeout,
		@DefaultValue("4s") Duration compilerSettle, @DefaultValue("false") boolean exit,
		@DefaultValue("true") boolean rehearsals) {

	/**
	 * @throws IllegalArgumentException when concurrency is below 1, a duration is negative or the timeout zero
	 */
	public WarmUpProperties {
		if (concurrency < 1 || duration.isNegative() || timeout.isNegative() || timeout.isZero()
				|| compilerSettle.isNegative()) {
			throw new IllegalArgumentException("app.warmup.concurrency must be at least 1, the timeout positive and "
					+ "the other durations not negative");
		}
	}

}
