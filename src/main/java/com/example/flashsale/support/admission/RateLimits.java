package com.example.flashsale.support.admission;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;
import com.example.flashsale.support.startup.StartupTask;

/**
 * Rate limits on writes (docs/api.md "Rate limits", ADR 0023): every write matching a rule of
 * {@code app.rate-limit.routes} takes a token from the bucket of its rule and its caller, the user of the
 * bearer token or, for a request without one, the client address. The buckets live in Redis (Bucket4j's
 * Lettuce proxy manager, asynchronous), so every instance shares them. An empty bucket is answered 429
 * {@code RATE_LIMITED} with {@code Retry-After} (seconds until the next token); every answer of a limited
 * route carries the draft IETF {@code RateLimit-Policy} ({@code "<rule>";q=<capacity>;w=<period s>}) and
 * {@code RateLimit} ({@code "<rule>";r=<remaining>;t=<s until full>}) headers.
 *
 * <p>Redis down or slower than {@code app.rate-limit.redis-timeout} (200 ms): the request is decided by a
 * bucket of the same size in this instance's memory (fail open to a local bucket, counted in
 * {@code flashsale.admission.rate_limit.local}): the limit then holds per instance, not across them.
 * Admin routes are left alone unless {@code app.rate-limit.admin}, and so is a request a feature answers from
 * memory ({@link AnsweredFromMemory}: a claim of a sold-out event). Runs after authentication. Off with
 * {@code app.rate-limit.enabled=false}.
 */
@Component
@ConditionalOnBooleanProperty(name = "app.rate-limit.enabled", matchIfMissing = true)
class RateLimits implements WebFilter, Ordered, StartupTask {

	private static final Log logger = LogFactory.getLog(RateLimits.class);

	/** After Spring Security's filter chain (order -100), so the caller is known. */
	static final int ORDER = 0;

	static final String POLICY = "RateLimit-Policy";

	static final String STATE = "RateLimit";

	private static final PathPattern ADMIN = PathPatternParser.defaultInstance.parse("/api/admin/**");

	private final List<Rule> rules = new ArrayList<>();

	private final RateLimitBuckets buckets;

	private final ProblemWriter problems;

	private final AdmissionMetrics metrics;

	private final RateLimitProperties properties;

	private final Map<String, Bucket> local = new ConcurrentHashMap<>();

	private final List<AnsweredFromMemory> fromMemory;

	RateLimits(RateLimitProperties properties, RateLimitBuckets buckets, ProblemWriter problems,
			AdmissionMetrics metrics, List<AnsweredFromMemory> fromMemory) {
		this.fromMemory = List.copyOf(fromMemory);
		this.properties = properties;
		this.buckets = buckets;
		this.problems = problems;
		this.metrics = metrics;
		properties.effectiveRoutes().forEach((name, route) -> {
			BucketConfiguration configuration = BucketConfiguration.builder()
				.addLimit(Bandwidth.builder().capacity(route.capacity()).refillGreedy(route.capacity(), route.period()).build())
				.build();
			String policy = "\"" + name + "\";q=" + route.capacity() + ";w=" + Math.max(1, route.period().toSeconds());
			this.rules.add(new Rule(RouteMatch.of(name, route.method(), route.pattern()), configuration, policy));
			metrics.register("rate_limited", name);
		});
		this.rules.sort(Comparator.comparing((Rule rule) -> rule.route().pattern(), PathPattern.SPECIFICITY_COMPARATOR));
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Warms the bucket path at startup (Bucket4j's classes, its script, the local fallback) on a bucket of
	 * its own, so the first requests are not decided locally for a cold path taking longer than the timeout.
	 */
	@Override
	public void run() {
		for (Rule rule : this.rules) {
			for (int i = 0; i < 5; i++) {
				consume(rule, "warm-up").block(Duration.ofSeconds(5));
				consumeLocally(rule, "warm-up", false);
			}
		}
		this.local.clear();
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		PathContainer path = request.getPath().pathWithinApplication();
		if (!this.properties.admin() && ADMIN.matches(path)) {
			return chain.filter(exchange);
		}
		for (AnsweredFromMemory memory : this.fromMemory) {
			if (memory.answersFromMemory(request.getMethod(), path)) {
				return chain.filter(exchange);
			}
		}
		for (Rule rule : this.rules) {
			if (rule.route().matches(request.getMethod(), path)) {
				return exchange.getPrincipal()
					.map((principal) -> (principal instanceof Authentication auth && auth.isAuthenticated())
							? "u" + principal.getName() : clientAddress(request))
					.defaultIfEmpty(clientAddress(request))
					.flatMap((caller) -> consume(rule, caller))
					.flatMap((probe) -> answer(rule, probe, exchange, chain));
			}
		}
		return chain.filter(exchange);
	}

	private static String clientAddress(ServerHttpRequest request) {
		InetSocketAddress address = request.getRemoteAddress();
		return "a" + ((address != null && address.getAddress() != null) ? address.getAddress().getHostAddress() : "unknown");
	}

	/** Takes a token from the caller's bucket in Redis, or from the local one when Redis does not answer in time. */
	private Mono<ConsumptionProbe> consume(Rule rule, String caller) {
		String key = "rate-limit:{" + rule.route().name() + ":" + caller + "}";
		AsyncProxyManager<byte[]> manager = this.buckets.manager();
		if (manager == null) {
			return Mono.fromSupplier(() -> consumeLocally(rule, key));
		}
		return Mono.fromFuture(() -> manager.builder()
			.build(key.getBytes(StandardCharsets.UTF_8), rule.configuration())
			.tryConsumeAndReturnRemaining(1)
			// a failure becomes "no answer": one arriving after the timeout is then dropped quietly
			.handle((probe, ex) -> {
				if (ex != null && logger.isDebugEnabled()) {
					logger.debug("Rate limit of " + key + " failed in Redis: " + ex);
				}
				return (ex != null) ? null : probe;
			}), true)
			.timeout(this.properties.redisTimeout(), Schedulers.parallel())
			// the reply arrives on the Redis connection's I/O thread: the request goes on elsewhere
			.publishOn(Schedulers.parallel())
			.onErrorResume((ex) -> Mono.empty())
			.switchIfEmpty(Mono.fromSupplier(() -> consumeLocally(rule, key)));
	}

	private ConsumptionProbe consumeLocally(Rule rule, String key) {
		return consumeLocally(rule, key, true);
	}

	private ConsumptionProbe consumeLocally(Rule rule, String key, boolean count) {
		if (count) {
			this.metrics.local(rule.route().name());
		}
		if (this.local.size() >= this.properties.localBuckets()) {
			this.local.clear();
		}
		return this.local.computeIfAbsent(key,
				(k) -> Bucket.builder().addLimit(rule.configuration().getBandwidths()[0]).build())
			.tryConsumeAndReturnRemaining(1);
	}

	private Mono<Void> answer(Rule rule, ConsumptionProbe probe, ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		headers.set(POLICY, rule.policy());
		long reset = seconds(probe.getNanosToWaitForReset());
		headers.set(STATE, "\"" + rule.route().name() + "\";r=" + probe.getRemainingTokens() + ";t=" + reset);
		if (probe.isConsumed()) {
			return chain.filter(exchange);
		}
		long wait = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
		headers.set(HttpHeaders.RETRY_AFTER, Long.toString(wait));
		this.metrics.refused("rate_limited", rule.route().name());
		return this.problems.write(exchange, ErrorCode.RATE_LIMITED,
				"Too many requests of this kind; the limit is " + rule.configuration().getBandwidths()[0].getCapacity()
						+ " per " + Duration.ofNanos(rule.configuration().getBandwidths()[0].getRefillPeriodNanos()).toMillis()
						+ " ms. Retry after " + wait + " s.");
	}

	private static long seconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
	}

	private record Rule(RouteMatch route, BucketConfiguration configuration, String policy) {
	}

}
