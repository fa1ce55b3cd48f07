package com.example.flashsale.support.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.Ordered;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * Load shedding per instance (docs/api.md "Load shedding", ADR 0024): each expensive route of
 * {@code app.load-shedding.routes} runs at most {@code max-concurrent} requests at once on this instance,
 * counted from the moment the request passes this filter until its answer is committed (or the request
 * ends without one: an error, the client gone). One more is refused at once, before authentication and
 * before any backend is called, with 503 {@code OVERLOADED} and {@code Retry-After: 1}: a crowd larger
 * than the instance can serve gets a fast answer instead of a queue that makes every request slow. The
 * permits are a Resilience4j semaphore bulkhead that never waits. A request another feature paced already
 * ({@link PacedElsewhere}: a waiting room's admitted holder) takes a permit when one is free and passes
 * without one when none is. Off with {@code app.load-shedding.enabled=false}.
 */
@Component
@ConditionalOnBooleanProperty(name = "app.load-shedding.enabled", matchIfMissing = true)
class LoadShedding implements WebFilter, Ordered {

	/** Right after the request size limits, before security. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	private final List<Shed> routes = new ArrayList<>();

	private final ProblemWriter problems;

	private final AdmissionMetrics metrics;

	private final List<PacedElsewhere> paced;

	LoadShedding(LoadSheddingProperties properties, ProblemWriter problems, AdmissionMetrics metrics, MeterRegistry meters,
			ObjectProvider<PacedElsewhere> paced) {
		this.problems = problems;
		this.metrics = metrics;
		this.paced = paced.orderedStream().toList();
		BulkheadRegistry registry = BulkheadRegistry.ofDefaults();
		properties.effectiveRoutes().forEach((name, route) -> {
			Bulkhead bulkhead = registry.bulkhead(name, BulkheadConfig.custom()
				.maxConcurrentCalls(route.maxConcurrent())
				.maxWaitDuration(Duration.ZERO)
				.build());
			this.routes.add(new Shed(RouteMatch.of(name, route.method(), route.pattern()), bulkhead));
			metrics.register("overloaded", name);
		});
		TaggedBulkheadMetrics.ofBulkheadRegistry(registry).bindTo(meters);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		PathContainer path = request.getPath().pathWithinApplication();
		for (Shed shed : this.routes) {
			if (shed.route().matches(request.getMethod(), path)) {
				return admit(shed, exchange, chain);
			}
		}
		return chain.filter(exchange);
	}

	private Mono<Void> admit(Shed shed, ServerWebExchange exchange, WebFilterChain chain) {
		Bulkhead bulkhead = shed.bulkhead();
		if (!bulkhead.tryAcquirePermission()) {
			if (pacedElsewhere(exchange.getRequest())) {
				this.metrics.pacedPastCap(shed.route().name());
				return chain.filter(exchange);
			}
			this.metrics.refused("overloaded", shed.route().name());
			return this.problems.write(exchange, ErrorCode.OVERLOADED, "This instance runs "
					+ bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " such requests at once; retry shortly.");
		}
		AtomicBoolean held = new AtomicBoolean(true);
		Runnable release = () -> {
			if (held.compareAndSet(true, false)) {
				bulkhead.onComplete();
			}
		};
		// the permit goes back when the answer is committed: its work is done then, and a client that sends its
		// next request on receiving the answer must find the permit free (at exactly the cap it was refused,
		// the permit being returned only after the last byte was flushed)
		exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(release));
		return Mono.defer(() -> chain.filter(exchange)).doFinally((signal) -> release.run());
	}

	private boolean pacedElsewhere(ServerHttpRequest request) {
		for (PacedElsewhere feature : this.paced) {
			if (feature.paced(request)) {
				return true;
			}
		}
		return false;
	}

	private record Shed(RouteMatch route, Bulkhead bulkhead) {
	}

}
