package com.example.flashsale.outbox;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * The outbox gauges (docs/operations.md "Metrics"): {@code outbox.backlog} (tag {@code status} = pending or
 * failed) and {@code outbox.lag} (seconds the oldest PENDING event has waited), read from MySQL every
 * {@code app.data-platform.relay.metrics-interval} by a background job: a gauge is read synchronously at
 * scrape time and must not wait for the database. Every instance reports the same figures.
 */
@Component
class OutboxMetrics extends BackgroundJob {

	private final Outbox outbox;

	private final Duration interval;

	private final AtomicLong pending = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong lagMs = new AtomicLong();

	OutboxMetrics(Outbox outbox, OutboxProperties properties, MeterRegistry registry, SingleRunJobs jobs) {
		super(jobs);
		this.outbox = outbox;
		this.interval = properties.relay().metricsInterval();
		Gauge.builder("outbox.backlog", this.pending, AtomicLong::get)
			.description("Outbox events not delivered yet, by status")
			.tag("status", "pending")
			.register(registry);
		Gauge.builder("outbox.backlog", this.failed, AtomicLong::get)
			.description("Outbox events not delivered yet, by status")
			.tag("status", "failed")
			.register(registry);
		Gauge.builder("outbox.lag", this.lagMs, (lag) -> lag.get() / 1000.0)
			.description("How long the oldest PENDING outbox event has waited")
			.baseUnit("seconds")
			.register(registry);
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("outbox-metrics", this.interval, this.interval);
	}

	@Override
	protected Mono<Outbox.Backlog> runOnce() {
		return this.outbox.backlog().doOnNext((backlog) -> {
			this.pending.set(backlog.pending());
			this.failed.set(backlog.failed());
			this.lagMs.set(backlog.lagMs());
		});
	}

}
