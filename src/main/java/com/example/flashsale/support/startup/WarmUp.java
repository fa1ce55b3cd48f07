package com.example.flashsale.support.startup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import io.netty.buffer.ByteBufAllocator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.security.TokenIssuer;

/**
 * The startup warm-up (docs/operations.md "Cold start", docs/adr/0021-warm-before-ready.md): once the web
 * server listens and before the service reports ready, sends the requests of every {@link WarmUpFixture} to
 * its own routes over loopback, and runs its rehearsals (paid orders rolled back) in-process, for
 * {@code app.warmup.duration}, {@code app.warmup.concurrency} at a time, each request as one synthetic user of
 * {@link WarmUpIdentity}, so the JIT has compiled the hot paths (Netty,
 * security and JWT, routing, JSON, validation, the Lua scripts, the R2DBC statements, the coupon and order
 * pipelines) before the first real request. Runs as the last {@link ApplicationRunner}: Spring Boot
 * publishes readiness ACCEPTING_TRAFFIC only after the runners, so {@code /actuator/health/readiness} stays
 * OUT_OF_SERVICE meanwhile while liveness is UP. Every failure is logged and the service becomes ready
 * anyway (only slower on its first requests); the fixtures' clean-up runs whatever happened. With
 * {@code app.warmup.exit} the process exits afterwards (a training run of the AOT cache).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class WarmUp implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(WarmUp.class);

	private static final Duration CLEAN_UP_TIMEOUT = Duration.ofSeconds(30);

	/** The window in which the JIT compilers' work is measured when waiting for them to go quiet. */
	private static final Duration COMPILER_QUIET_WINDOW = Duration.ofMillis(200);

	private final WarmUpProperties properties;

	private final ObjectProvider<WarmUpFixture> fixtures;

	private final TokenIssuer tokens;

	private final Environment environment;

	private final ApplicationContext context;

	/** The answers of the last warm-up by status code (or error name), for the logs and tests. */
	private volatile Map<String, Long> answers = Map.of();

	WarmUp(WarmUpProperties properties, ObjectProvider<WarmUpFixture> fixtures, TokenIssuer tokens,
			Environment environment, ApplicationContext context) {
		this.properties = properties;
		this.fixtures = fixtures;
		this.tokens = tokens;
		this.environment = environment;
		this.context = context;
	}

	@Override
	public void run(ApplicationArguments args) {
		Integer port = this.environment.getProperty("local.server.port", Integer.class);
		if (!this.properties.enabled() || port == null || port <= 0) {
			logger.info("Warm-up off (app.warmup.enabled=" + this.properties.enabled() + ")");
			return;
		}
		AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
		List<WarmUpFixture> all = this.fixtures.orderedStream().toList();
		Queue<WarmUpCall.SentKey> sentKeys = new ConcurrentLinkedQueue<>();
		long started = System.nanoTime();
		long settleBy = started;
		try {
			Mono.whenDelayError(all.stream().map(WarmUpFixture::prepare).toList())
				.block(CLEAN_UP_TIMEOUT);
			drive(port, all.stream().flatMap((fixture) -> fixture.calls().stream()).toList(),
					this.properties.rehearsals()
							? all.stream().flatMap((fixture) -> fixture.rehearsals().stream()).toList() : List.of(),
					sentKeys);
			settleBy = System.nanoTime() + this.properties.compilerSettle().toNanos();
		}
		catch (RuntimeException ex) {
			logger.warn("Warm-up failed; the service starts without it (slower first requests): " + ex);
		}
		finally {
			try {
				List<WarmUpCall.SentKey> sent = List.copyOf(sentKeys);
				Mono.whenDelayError(all.stream().map((fixture) -> fixture.cleanUp(sent)).toList()).block(CLEAN_UP_TIMEOUT);
			}
			catch (RuntimeException ex) {
				logger.warn("Warm-up clean-up failed; its reserved keys expire on their own: " + ex);
			}
		}
		awaitCompilerQuiet(settleBy);
		logger.info("Warm-up done in " + (System.nanoTime() - started) / 1_000_000 + " ms");
		if (this.properties.exit()) {
			logger.info("Exiting after the warm-up (app.warmup.exit=true: a training run)");
			System.exit(SpringApplication.exit(this.context));
		}
	}

	private void drive(int port, List<WarmUpCall> calls, List<Supplier<Flux<String>>> rehearsals,
			Queue<WarmUpCall.SentKey> sentKeys) {
		int tasks = calls.size() + rehearsals.size();
		if (tasks == 0) {
			return;
		}
		// at least one worker per route and rehearsal, so every one gets warm
		int concurrency = Math.max(this.properties.concurrency(), tasks);
		// every request as the next synthetic user: no user's bucket runs dry (a 429 would warm the refusal, not
		// the route), and the per-user paths (locks, buckets, keys) run for many users, as in a rush
		// (without a secret of its own the service mints no token: every request goes without one)
		List<String> authorizations = (bearer(WarmUpIdentity.FIRST_USER_ID) == null)
				? Collections.nCopies(WarmUpIdentity.USERS, null)
				: IntStream.range(0, WarmUpIdentity.USERS).mapToObj((user) -> bearer(WarmUpIdentity.FIRST_USER_ID + user)).toList();
		String run = Long.toString(System.currentTimeMillis(), 36) + "-"
				+ Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36) + "-";
		String host = this.environment.getProperty("server.address", "127.0.0.1");
		if ("0.0.0.0".equals(host) || "::".equals(host)) {
			host = "127.0.0.1";
		}
		ConnectionProvider connections = ConnectionProvider.builder("warmup")
			.maxConnections(concurrency)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections)
			.baseUrl("http://" + host + ":" + port)
			.responseTimeout(this.properties.timeout())
			.headers((headers) -> headers.set(HttpHeaders.ACCEPT, "application/json, application/problem+json"));
		long deadline = System.nanoTime() + this.properties.duration().toNanos();
		AtomicLong next = new AtomicLong();
		Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
		try {
			Flux.range(0, concurrency)
				.flatMap((worker) -> Flux.defer(() -> {
					// a worker keeps to one route or rehearsal: a quick route is sent as often as it answers, a
					// slow one does not hold the quick ones back
					int task = worker % tasks;
					if (task >= calls.size()) {
						return rehearsals.get(task - calls.size()).get();
					}
					WarmUpCall call = calls.get(task);
					long sequence = next.getAndIncrement();
					int user = (int) (sequence % WarmUpIdentity.USERS);
					String key = WarmUpCall.KEY_PREFIX + run + sequence;
					if (call.idempotencyKey()) {
						sentKeys.add(new WarmUpCall.SentKey(WarmUpIdentity.FIRST_USER_ID + user, key));
					}
					return send(client, authorizations.get(user), call, key);
				})
					.onErrorResume((ex) -> Mono.just(ex.getClass().getSimpleName()))
					.doOnNext((status) -> statuses.computeIfAbsent(status, (s) -> new LongAdder()).increment())
					.repeat(() -> System.nanoTime() < deadline), concurrency)
				.then()
				.block(this.properties.duration().plus(this.properties.timeout()).plusSeconds(5));
		}
		finally {
			connections.dispose();
		}
		Map<String, Long> counted = new TreeMap<>();
		statuses.forEach((status, count) -> counted.put(status, count.sum()));
		this.answers = Map.copyOf(counted);
		logger.info("Warm-up sent " + next.get() + " requests in " + this.properties.duration().toMillis()
				+ " ms to " + calls.size() + " routes, with " + rehearsals.size() + " rehearsals; answers " + counted);
	}

	/**
	 * Waits until the JIT compilers have finished what the requests queued (their compilation time grows by
	 * less than a tenth of the window in one window) or {@code until} ({@link System#nanoTime()}) passes,
	 * whichever comes first. Compiling with the cores to itself is several times faster than during a rush,
	 * where every compilation competes with the requests. Runs on the main thread, which may wait.
	 */
	private static void awaitCompilerQuiet(long until) {
		CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
			return;
		}
		long started = System.nanoTime();
		long compiledBefore = compiler.getTotalCompilationTime();
		long compiledAtStart = compiledBefore;
		while (System.nanoTime() < until) {
			LockSupport.parkNanos(COMPILER_QUIET_WINDOW.toNanos());
			long compiled = compiler.getTotalCompilationTime();
			if (compiled - compiledBefore < COMPILER_QUIET_WINDOW.toMillis() / 10) {
				break;
			}
			compiledBefore = compiled;
		}
		logger.info("Warm-up waited " + (System.nanoTime() - started) / 1_000_000 + " ms for the JIT compilers ("
				+ (compiler.getTotalCompilationTime() - compiledAtStart) + " ms of compilation meanwhile)");
	}

	/**
	 * The answers of the last warm-up: how many of each status code, rehearsal label (e.g. PAID) or error name;
	 * empty before one.
	 */
	Map<String, Long> answers() {
		return this.answers;
	}

	/** Sends one call as the worker's user; emits its status code (or the error's name). */
	private static Mono<String> send(HttpClient client, String authorization, WarmUpCall call, String key) {
		HttpClient withKey = client.headers((headers) -> {
			if (authorization != null) {
				headers.set(HttpHeaders.AUTHORIZATION, authorization);
			}
			if (call.idempotencyKey()) {
				headers.set("Idempotency-Key", key);
			}
		});
		HttpClient.RequestSender sender = ((call.body() != null)
				? withKey.headers((headers) -> headers.set(HttpHeaders.CONTENT_TYPE, "application/json")) : withKey)
			.request(io.netty.handler.codec.http.HttpMethod.valueOf(call.method().name()))
			.uri(call.path());
		HttpClient.ResponseReceiver<?> receiver = (call.body() != null)
				? sender.send(ByteBufFlux.fromString(Mono.just(call.body()), StandardCharsets.UTF_8,
						ByteBufAllocator.DEFAULT))
				: sender;
		return receiver.responseSingle((response, body) -> body.then(Mono.just(Integer.toString(response.status().code()))));
	}

	/** A synthetic user's token, or null when this service mints none (identity provider only). */
	private String bearer(long userId) {
		try {
			return "Bearer " + this.tokens.issue(userId, List.of(), Duration.ofMinutes(10)
				.plus(this.properties.duration()));
		}
		catch (IllegalStateException ex) {
			logger.debug("Warm-up without a token (no app.security.jwt.secret): only the refusal of unauthenticated "
					+ "requests gets warm");
			return null;
		}
	}

}
