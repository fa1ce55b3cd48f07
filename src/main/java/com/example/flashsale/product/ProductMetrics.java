package com.example.flashsale.product;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * The gauge {@code stock.reserved} (docs/operations.md "Metrics"): units that orders in flight hold
 * across the active products (durable stock in MySQL minus sellable stock in Redis), refreshed every
 * {@code app.products.metrics-interval} by a background job, since a gauge is read synchronously at scrape
 * time and must not wait for Redis or MySQL.
 */
@Component
class ProductMetrics extends BackgroundJob {

	/** Products summed, at most. */
	private static final int PRODUCTS = 1000;

	private final ProductStock stock;

	private final Duration interval;

	private final AtomicLong reserved = new AtomicLong();

	ProductMetrics(ProductStock stock, ProductProperties properties, MeterRegistry registry, SingleRunJobs jobs) {
		super(jobs);
		this.stock = stock;
		this.interval = properties.metricsInterval();
		Gauge.builder("stock.reserved", this.reserved, AtomicLong::get)
			.description("Units reserved by orders in flight over the active products (durable minus sellable)")
			.baseUnit("units")
			.register(registry);
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("stock-metrics", this.interval, this.interval);
	}

	@Override
	protected Mono<Long> runOnce() {
		return this.stock.live(PRODUCTS).map(ProductLive::reserved).reduce(0L, Long::sum).doOnNext(this.reserved::set);
	}

}
