package com.example.flashsale.order;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * How many order status streams are open across every instance (docs/operations.md "Operator console"):
 * each instance writes its own count into the Redis hash {@link OrderKeys#STREAM_CENSUS} every
 * {@link #INTERVAL}; {@link #openEverywhere} sums the counts written within the last three intervals, so
 * a stopped instance drops out by itself.
 */
@Component
public class OrderStreamCensus extends BackgroundJob {

	static final Duration INTERVAL = Duration.ofSeconds(2);

	private final ReactiveStringRedisTemplate redis;

	private final OrderMetrics metrics;

	private final Clock clock;

	private final String instance = Long.toHexString(ThreadLocalRandom.current().nextLong());

	OrderStreamCensus(ReactiveStringRedisTemplate redis, OrderMetrics metrics, Clock clock, SingleRunJobs jobs) {
		super(jobs);
		this.redis = redis;
		this.metrics = metrics;
		this.clock = clock;
	}

	/** Status streams open on every live instance. */
	public Mono<Long> openEverywhere() {
		long freshAfter = this.clock.millis() - INTERVAL.multipliedBy(3).toMillis();
		return this.redis.<String, String>opsForHash()
			.values(OrderKeys.STREAM_CENSUS)
			.map((value) -> value.split("\\|", 2))
			.filter((parts) -> parts.length == 2 && Long.parseLong(parts[1]) >= freshAfter)
			.map((parts) -> Long.parseLong(parts[0]))
			.reduce(0L, Long::sum);
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("order-stream-census", Duration.ZERO, INTERVAL);
	}

	@Override
	protected Mono<Boolean> runOnce() {
		return this.redis.<String, String>opsForHash()
			.put(OrderKeys.STREAM_CENSUS, this.instance, this.metrics.openStreams() + "|" + this.clock.millis());
	}

}
