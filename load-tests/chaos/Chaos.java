import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The chaos suite of the flash-sale service (load-tests/chaos/README.md): faults injected into a running
 * packaged service while a rush is under way, each scenario judged against the invariants at fault entry,
 * during the fault, after recovery and after one reconciliation.
 *
 * <p>One file on the JDK alone ({@code java load-tests/chaos/Chaos.java --short}); {@code run.sh} beside it
 * is the entry point. It starts and owns everything it faults: its own {@code redis-server}, a TCP proxy in
 * front of MariaDB/MySQL, the data platform stub and the service (one instance, a second for the
 * {@code kill -9} scenario), all on 127.0.0.1. It reads MySQL with the {@code mariadb} (or {@code mysql})
 * client and Redis over a socket. Every wait has a deadline; a scenario that outlives its deadline fails
 * and the next one runs on a repaired environment; a watchdog ends the whole run.
 *
 * <p>Exit code: 0 when every scenario held every invariant, 1 on any breach (0 with {@code --report-only}),
 * 2 when the environment could not be set up.
 */
public class Chaos {

	static final String DEFAULT_SECRET = "local-dev-secret-change-me-0123456789abcdef";

	static final long CLIENT_TIMEOUT_MS = 15_000;

	/** The p99 a 503 must meet during a fault: the contract's 300 ms with room for a shared 2-core box. */
	static final long FAST_503_MS = Long.parseLong(env("CHAOS_FAST_503_MS", "1000"));

	/** stock-del: the delay the database proxy adds to each packet, each way, so payments stay in flight. */
	static final long SLOW_DB_MS = 15;

	static final PrintStream OUT = System.out;

	// ---------------------------------------------------------------------------------------------------
	// configuration

	/** How big and how long each scenario is. */
	record Sizes(int concurrency, int couponTotal, int couponClaimers, double couponWindowSec, int sremTotal,
			int stock, int buyers, double orderWindowSec, int replayStock, long redisOutageMs, long dbOutageMs,
			long couponSettleMs, long orderSettleMs, long scenarioDeadlineMs, long watchdogMs) {
	}

	static final Sizes SHORT = new Sizes(32, 100, 300, 1.5, 40, 40, 120, 10, 12, 5_000, 5_000, 15_000, 45_000,
			200_000, 1_500_000);

	static final Sizes FULL = new Sizes(48, 300, 1200, 4, 100, 150, 450, 25, 40, 10_000, 10_000, 45_000, 60_000,
			420_000, 3_600_000);

	static final class Config {

		boolean shortMode;

		boolean reportOnly;

		Set<String> only;

		Path root = Paths.get(".").toAbsolutePath().normalize();

		Path jar;

		Path out;

		String dbHost = env("DB_HOST", "127.0.0.1");

		int dbPort = Integer.parseInt(env("DB_PORT", "3306"));

		String dbUser = env("DB_USER", "root");

		String dbPassword = env("DB_PASSWORD", "");

		String dbName = env("CHAOS_DB_NAME", "flashsale_chaos");

		int redisPort = Integer.parseInt(env("CHAOS_REDIS_PORT", "6385"));

		/** --cluster: the services run on a Redis Cluster of 6 nodes from this port (cluster scenarios only). */
		int clusterBase;

		/** --cluster-untuned: the services keep Lettuce's default topology refresh (the "before" figure). */
		boolean clusterUntuned;

		/** The cluster's node timeout (load-tests/redis-cluster/cluster.sh --node-timeout). */
		int clusterNodeTimeoutMs = Integer.parseInt(env("CHAOS_CLUSTER_NODE_TIMEOUT_MS", "2000"));

		boolean cluster() {
			return this.clusterBase > 0;
		}

		int portBase = Integer.parseInt(env("CHAOS_PORT_BASE", "18100"));

		String xmx = env("CHAOS_XMX", "768m");

		String secret = env("SECRET", DEFAULT_SECRET);

		Sizes sizes() {
			return this.shortMode ? SHORT : FULL;
		}

		int portA() {
			return this.portBase;
		}

		int portB() {
			return this.portBase + 1;
		}

		int stubPort() {
			return this.portBase + 2;
		}

		int proxyPort() {
			return this.portBase + 3;
		}

	}

	static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value == null || value.isEmpty()) ? fallback : value;
	}

	static Config CFG;

	// ---------------------------------------------------------------------------------------------------
	// the scenarios

	interface Body {

		void run(Sc sc) throws Exception;

	}

	record ScenarioDef(String name, String title, Body body) {
	}

	static final List<ScenarioDef> SCENARIOS = List.of(
			new ScenarioDef("coupon-flushdb", "FLUSHDB mid coupon rush", Chaos::couponFlushdb),
			new ScenarioDef("coupon-srem", "holders removed from the holders hash (HDEL), then they claim again",
					Chaos::couponSrem),
			new ScenarioDef("stock-del", "the stock key deleted mid order rush", Chaos::stockDel),
			new ScenarioDef("replay-flushdb", "replays of every finished order request after FLUSHDB",
					Chaos::replayFlushdb),
			new ScenarioDef("redis-kill", "Redis killed (-9) and restarted empty mid order rush",
					Chaos::redisKill),
			new ScenarioDef("db-cut", "the database connection cut through a proxy mid order rush",
					(sc) -> dbFault(sc, false)),
			new ScenarioDef("db-freeze",
					"the database frozen through a proxy (connections open, no answers), then cut, mid order rush",
					(sc) -> dbFault(sc, true)),
			new ScenarioDef("kill9-instance", "kill -9 of one of two instances mid order rush",
					Chaos::kill9Instance),
			new ScenarioDef("cluster-failover-coupon",
					"Redis Cluster: kill -9 of the master holding the coupon's slot mid coupon rush (--cluster)",
					Chaos::clusterFailoverCoupon),
			new ScenarioDef("cluster-failover-order",
					"Redis Cluster: kill -9 of the master holding the stock slot mid order rush (--cluster)",
					Chaos::clusterFailoverOrder));

	// ---------------------------------------------------------------------------------------------------
	// main

	static RedisServer REDIS;

	static DbProxy PROXY;

	static Service A;

	/** The second instance, started once A is ready when kill9-instance will run; it runs the background jobs meanwhile. */
	static Service B;

	static Process STUB;

	static Path STUB_LOG;

	static String ADMIN;

	static long PROBE_COUPON;

	static long PROBE_PRODUCT;

	static Buyer PROBE_BUYER;

	static final AtomicLong NEXT_TOKEN_USER = new AtomicLong(
			3_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L));

	public static void main(String[] args) throws Exception {
		CFG = parse(args);
		Sizes sizes = CFG.sizes();
		List<ScenarioDef> selected = new ArrayList<>();
		for (ScenarioDef def : SCENARIOS) {
			// the cluster scenarios run on a cluster only (--cluster), and only they do
			boolean clusterScenario = def.name().startsWith("cluster-");
			if ((CFG.only == null || CFG.only.contains(def.name())) && clusterScenario == CFG.cluster()) {
				selected.add(def);
			}
		}
		if (selected.isEmpty()) {
			die("no scenario selected: the cluster-* scenarios run with --cluster, the others without it");
		}
		if (CFG.only != null) {
			for (String name : CFG.only) {
				if (SCENARIOS.stream().noneMatch((d) -> d.name().equals(name))) {
					die("unknown scenario " + name + "; --list shows them");
				}
			}
		}
		Thread watchdog = new Thread(() -> {
			try {
				Thread.sleep(sizes.watchdogMs());
				OUT.println("[chaos] WATCHDOG: the run exceeded " + sizes.watchdogMs() / 1000 + " s; stopping");
				Runtime.getRuntime().halt(3);
			}
			catch (InterruptedException ex) {
				// the run ended in time
			}
		}, "chaos-watchdog");
		watchdog.setDaemon(true);
		watchdog.start();
		Runtime.getRuntime().addShutdownHook(new Thread(Chaos::stopEverything));

		long runStart = System.nanoTime();
		List<Sc> results = new ArrayList<>();
		try {
			setUp(selected);
			for (ScenarioDef def : selected) {
				results.add(runScenario(def));
			}
		}
		catch (SetupFailure ex) {
			OUT.println("[chaos] SETUP FAILED: " + ex.getMessage());
			OUT.println("[chaos] logs: " + CFG.out);
			System.exit(2);
		}
		finally {
			stopEverything();
		}
		summary(results, (System.nanoTime() - runStart) / 1_000_000_000.0);
		long failed = results.stream().filter((r) -> !r.passed()).count();
		watchdog.interrupt();
		System.exit((failed > 0 && !CFG.reportOnly) ? 1 : 0);
	}

	static Config parse(String[] args) {
		Config cfg = new Config();
		for (String arg : args) {
			String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
			if (arg.equals("--short")) {
				cfg.shortMode = true;
			}
			else if (arg.equals("--full")) {
				cfg.shortMode = false;
			}
			else if (arg.equals("--report-only")) {
				cfg.reportOnly = true;
			}
			else if (arg.startsWith("--only=")) {
				cfg.only = new HashSet<>(List.of(value.split(",")));
			}
			else if (arg.startsWith("--root=")) {
				cfg.root = Paths.get(value).toAbsolutePath().normalize();
			}
			else if (arg.startsWith("--jar=")) {
				cfg.jar = Paths.get(value).toAbsolutePath();
			}
			else if (arg.startsWith("--db=")) {
				cfg.dbName = value;
			}
			else if (arg.startsWith("--redis-port=")) {
				cfg.redisPort = Integer.parseInt(value);
			}
			else if (arg.startsWith("--port-base=")) {
				cfg.portBase = Integer.parseInt(value);
			}
			else if (arg.equals("--cluster")) {
				cfg.clusterBase = Integer.parseInt(env("CHAOS_CLUSTER_BASE_PORT", "7101"));
			}
			else if (arg.startsWith("--cluster=")) {
				cfg.clusterBase = Integer.parseInt(value);
			}
			else if (arg.equals("--cluster-untuned")) {
				cfg.clusterUntuned = true;
			}
			else if (arg.startsWith("--xmx=")) {
				cfg.xmx = value;
			}
			else if (arg.equals("--list")) {
				for (ScenarioDef def : SCENARIOS) {
					OUT.printf("%-16s %s%n", def.name(), def.title());
				}
				System.exit(0);
			}
			else {
				die("unknown argument " + arg + " (--short, --full, --only=a,b, --report-only, --list, --root=, "
						+ "--jar=, --db=, --redis-port=, --port-base=, --xmx=, --cluster[=base port], --cluster-untuned)");
			}
		}
		if (!cfg.dbName.matches("flashsale_chaos[A-Za-z0-9_]*")) {
			die("the database name must start with flashsale_chaos (the suite drops and recreates it): " + cfg.dbName);
		}
		if (!isLoopback(cfg.dbHost)) {
			die("DB_HOST must be a loopback address: " + cfg.dbHost);
		}
		if (cfg.jar == null) {
			try (var files = Files.list(cfg.root.resolve("target"))) {
				cfg.jar = files.filter((p) -> p.getFileName().toString().matches("flashsale-.*\\.jar"))
					.filter((p) -> !p.getFileName().toString().endsWith(".original"))
					.findFirst()
					.orElse(null);
			}
			catch (IOException ex) {
				cfg.jar = null;
			}
		}
		if (cfg.jar == null || !Files.isRegularFile(cfg.jar)) {
			die("no packaged jar under " + cfg.root.resolve("target") + ": run ./mvnw -B -q package -DskipTests first");
		}
		cfg.out = cfg.root.resolve("load-tests/target/chaos/"
				+ LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
		return cfg;
	}

	static boolean isLoopback(String host) {
		try {
			return InetAddress.getByName(host).isLoopbackAddress();
		}
		catch (IOException ex) {
			return false;
		}
	}

	static void die(String message) {
		System.err.println("chaos: " + message);
		System.exit(2);
	}

	static final class SetupFailure extends Exception {

		SetupFailure(String message) {
			super(message);
		}

	}

	static void setUp(List<ScenarioDef> selected) throws Exception {
		Files.createDirectories(CFG.out);
		Sizes s = CFG.sizes();
		log("mode " + (CFG.shortMode ? "short" : "full") + "; jar " + CFG.root.relativize(CFG.jar) + "; logs "
				+ CFG.root.relativize(CFG.out));
		log("database " + CFG.dbName + " (dropped and created), Redis 127.0.0.1:" + CFG.redisPort + " (own), service "
				+ "127.0.0.1:" + CFG.portA() + " (+" + CFG.portB() + " for kill9-instance), stub " + CFG.stubPort()
				+ ", database proxy " + CFG.proxyPort() + " -> " + CFG.dbHost + ":" + CFG.dbPort);
		log("sizes: concurrency " + s.concurrency() + ", coupon " + s.couponTotal() + " for " + s.couponClaimers()
				+ " claimers, stock " + s.stock() + " for " + s.buyers() + " buyers, outages " + s.redisOutageMs()
				+ "/" + s.dbOutageMs() + " ms");
		try {
			sqlAdmin("DROP DATABASE IF EXISTS " + CFG.dbName + "; CREATE DATABASE " + CFG.dbName);
		}
		catch (IOException ex) {
			throw new SetupFailure("cannot reach MySQL/MariaDB at " + CFG.dbHost + ":" + CFG.dbPort + ": "
					+ ex.getMessage());
		}
		REDIS = CFG.cluster() ? new RedisCluster(CFG.clusterBase) : new RedisServer(CFG.redisPort, CFG.out.resolve("redis.log"));
		REDIS.start();
		if (CFG.cluster()) {
			log("Redis Cluster 127.0.0.1:" + CFG.clusterBase + "-" + (CFG.clusterBase + 5) + " (own, node timeout "
					+ CFG.clusterNodeTimeoutMs + " ms), topology refresh "
					+ (CFG.clusterUntuned ? "Lettuce's defaults (--cluster-untuned)" : "the service's (app.redis.cluster-*)"));
		}
		STUB_LOG = CFG.out.resolve("stub.log");
		STUB = spawn(List.of(javaBin(), CFG.root.resolve("load-tests/data-platform/DataPlatformStub.java").toString(),
				"--port", String.valueOf(CFG.stubPort())), Map.of(), STUB_LOG);
		PROXY = new DbProxy(CFG.proxyPort(), CFG.dbHost, CFG.dbPort);
		PROXY.start();
		if (!waitUntil(() -> portOpen(CFG.stubPort()), 60_000)) {
			throw new SetupFailure("the data platform stub did not listen on " + CFG.stubPort() + " within 60 s");
		}
		A = new Service("A", CFG.portA());
		A.start();
		if (!A.awaitReady(300_000)) {
			throw new SetupFailure("service A did not become ready within 300 s; see " + A.log);
		}
		if (selected.stream().anyMatch((d) -> d.name().equals("kill9-instance"))) {
			B = new Service("B", CFG.portB());
			B.start();
		}
		ADMIN = token(1, true);
		PROBE_COUPON = createCoupon(10_000_000, 1000);
		PROBE_PRODUCT = createProduct("chaos-probe", 10, 10_000_000);
		PROBE_BUYER = createBuyers(1, 100_000, null).get(0);
		log("ready: probe coupon " + PROBE_COUPON + ", probe product " + PROBE_PRODUCT + ", probe buyer "
				+ PROBE_BUYER.id());
	}

	static synchronized void stopEverything() {
		for (Process p : CHILDREN) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroy();
		}
		for (Process p : CHILDREN) {
			try {
				if (!p.waitFor(10, TimeUnit.SECONDS)) {
					p.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				p.destroyForcibly();
			}
		}
		CHILDREN.clear();
		if (PROXY != null) {
			PROXY.close();
		}
		if (REDIS instanceof RedisCluster cluster) {
			cluster.stop();
		}
	}

	static Sc runScenario(ScenarioDef def) {
		Sc sc = new Sc(def);
		OUT.println();
		OUT.println("=== " + def.name() + ": " + def.title() + " ===");
		ExecutorService runner = Executors.newSingleThreadExecutor((r) -> new Thread(r, "scenario-" + def.name()));
		Future<?> future = runner.submit(() -> {
			def.body().run(sc);
			return null;
		});
		long deadline = CFG.sizes().scenarioDeadlineMs();
		try {
			future.get(deadline, TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			sc.check("scenario", true, "scenario.deadline", false,
					"the scenario did not finish within " + deadline / 1000 + " s");
		}
		catch (Exception ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			sc.check("scenario", true, "scenario.error", false, "the scenario stopped: " + cause);
			cause.printStackTrace(OUT);
		}
		finally {
			runner.shutdownNow();
			sc.stopLoads();
		}
		repairEnvironment(sc);
		sc.report();
		return sc;
	}

	/** Puts back what a scenario may have left broken, so the next one starts from a working service. */
	static void repairEnvironment(Sc sc) {
		PROXY.forward();
		try {
			if (!REDIS.up()) {
				sc.note("environment: Redis was down after the scenario; started again");
				REDIS.start();
			}
			if (!A.alive()) {
				sc.note("environment: service A had died; started again");
				A.start();
				A.awaitReady(300_000);
			}
		}
		catch (Exception ex) {
			sc.note("environment: repair failed: " + ex);
		}
	}

	static void summary(List<Sc> results, double seconds) {
		OUT.println();
		OUT.println("=== summary (" + (CFG.shortMode ? "short" : "full") + " mode, "
				+ String.format("%.0f", seconds) + " s) ===");
		OUT.printf("%-16s %-7s %-14s %s%n", "scenario", "verdict", "recover", "breaches");
		for (Sc sc : results) {
			List<String> breaches = sc.breaches().stream().map((c) -> c.name() + "[" + c.phase() + "]").toList();
			OUT.printf("%-16s %-7s %-14s %s%n", sc.def.name(), sc.passed() ? "PASS" : "FAIL", sc.recoverText(),
					breaches.isEmpty() ? "-" : String.join(" ", breaches));
		}
		long passed = results.stream().filter(Sc::passed).count();
		OUT.println("logs: " + CFG.root.relativize(CFG.out));
		if (CFG.reportOnly && passed < results.size()) {
			OUT.println("(--report-only: breaches do not fail the run)");
		}
		OUT.println("chaos: " + passed + " passed, " + (results.size() - passed) + " failed");
	}

	static void log(String message) {
		OUT.println("[chaos] " + message);
	}

	// ---------------------------------------------------------------------------------------------------
	// scenario context: outcomes, checks, verdict

	record Check(String phase, String name, boolean safety, boolean pass, String figures) {
	}

	static final class Sc {

		final ScenarioDef def;

		final List<Check> checks = new CopyOnWriteArrayList<>();

		final List<String> notes = new CopyOnWriteArrayList<>();

		final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

		final Map<String, LongAdder> faultOutcomes = new ConcurrentHashMap<>();

		final List<Long> fault503Micros = Collections.synchronizedList(new ArrayList<>());

		/** When each 503 was answered (System.nanoTime()), whatever the phase: the failover's 503 window. */
		final List<Long> answered503At = Collections.synchronizedList(new ArrayList<>());

		/** When the fault was injected (System.nanoTime()); 0 before. */
		volatile long faultAtNanos;

		final AtomicLong sent = new AtomicLong();

		final AtomicLong answeredDuringFault = new AtomicLong();

		final AtomicLong answeredAfterFault = new AtomicLong();

		final AtomicLong server5xx = new AtomicLong();

		final AtomicLong noRetryAfter = new AtomicLong();

		final AtomicLong unanswered = new AtomicLong();

		final AtomicInteger wins = new AtomicInteger();

		final List<String> badExamples = new CopyOnWriteArrayList<>();

		final List<Load> loads = new CopyOnWriteArrayList<>();

		final List<OrderReq> orders = new CopyOnWriteArrayList<>();

		final List<String> reconcilerAnswers = new ArrayList<>();

		volatile boolean inFault;

		/** Whether the fault's 503s must be fast: not for a frozen database, found only by a timeout. */
		boolean fast503 = true;

		volatile boolean afterFault;

		volatile long faultEndNanos;

		volatile Double recoverSeconds;

		volatile String recoverFlow = "";

		volatile Thread probe;

		boolean reconciled;

		Sc(ScenarioDef def) {
			this.def = def;
		}

		Resp record(Resp r) {
			this.sent.incrementAndGet();
			String outcome = r.outcome();
			this.outcomes.computeIfAbsent(outcome, (k) -> new LongAdder()).increment();
			if (this.inFault) {
				this.answeredDuringFault.incrementAndGet();
				this.faultOutcomes.computeIfAbsent(outcome, (k) -> new LongAdder()).increment();
				if (r.status() == 503) {
					this.fault503Micros.add(r.nanos() / 1000);
				}
			}
			else if (this.afterFault) {
				this.answeredAfterFault.incrementAndGet();
			}
			if (r.status() == 503) {
				this.answered503At.add(System.nanoTime());
			}
			if (r.status() >= 500 && r.status() != 503) {
				this.server5xx.incrementAndGet();
				example(r, "5xx");
			}
			// a recorded failed order (its body names the FAILED order) is the key's final answer, replayed as it
			// was and without Retry-After by design (docs/api.md, orders: 503): only a retryable 503 must say when to retry
			if (r.status() == 503 && r.retryAfter() == null && !r.body().contains("\"orderId\"")) {
				this.noRetryAfter.incrementAndGet();
				example(r, "503 without Retry-After");
			}
			if ("timeout".equals(r.error())) {
				this.unanswered.incrementAndGet();
				example(r, "no answer");
			}
			return r;
		}

		private void example(Resp r, String what) {
			if (this.badExamples.size() < 4) {
				this.badExamples.add(String.format("%s after %d ms: %s", what, r.nanos() / 1_000_000,
						abbreviate(r.body())));
			}
		}

		void faultBegins() {
			this.inFault = true;
			this.faultAtNanos = System.nanoTime();
		}

		void faultEnds(String flow, Runnable probeFlow) {
			this.inFault = false;
			this.afterFault = true;
			this.faultEndNanos = System.nanoTime();
			this.recoverFlow = flow;
			this.probe = startProbe(this, probeFlow);
		}

		void check(String phase, boolean safety, String name, boolean pass, String figures) {
			Check c = new Check(phase, name, safety, pass, figures);
			this.checks.add(c);
			OUT.printf("  [%-10s] %s %-22s %s%n", phase, pass ? "PASS" : "FAIL", name, figures);
		}

		void note(String note) {
			this.notes.add(note);
			OUT.println("  note: " + note);
		}

		void stopLoads() {
			this.loads.forEach(Load::stop);
			Thread p = this.probe;
			if (p != null) {
				p.interrupt();
			}
		}

		String finalPhase() {
			return this.reconciled ? "reconciled" : "recovered";
		}

		List<Check> breaches() {
			String last = finalPhase();
			return this.checks.stream()
				.filter((c) -> !c.pass() && (c.safety() || c.phase().equals(last) || c.phase().equals("scenario")))
				.toList();
		}

		boolean passed() {
			return breaches().isEmpty();
		}

		String recoverText() {
			if (this.recoverSeconds != null) {
				return String.format("%.2f s", this.recoverSeconds);
			}
			return this.afterFault ? "never" : "-";
		}

		void report() {
			OUT.println("  requests sent: " + this.sent.get() + " (" + this.answeredDuringFault.get() + " answered during the fault, "
					+ this.answeredAfterFault.get() + " after it)");
			OUT.println("  outcomes: " + render(this.outcomes));
			if (!this.faultOutcomes.isEmpty()) {
				String latency = "";
				if (!this.fault503Micros.isEmpty()) {
					List<Long> sorted;
					synchronized (this.fault503Micros) {
						sorted = new ArrayList<>(this.fault503Micros);
					}
					Collections.sort(sorted);
					latency = String.format("; 503 latency p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d",
							pct(sorted, 50) / 1000.0, pct(sorted, 99) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0,
							sorted.size());
				}
				OUT.println("  outcomes answered during the fault: " + render(this.faultOutcomes) + latency);
			}
			if (this.recoverSeconds != null) {
				OUT.printf("  time to recover: %.2f s (fault end -> first %s)%n", this.recoverSeconds, this.recoverFlow);
			}
			else if (this.afterFault) {
				OUT.println("  time to recover: never (no successful " + this.recoverFlow + " before the probe's deadline)");
			}
			if (!this.reconcilerAnswers.isEmpty()) {
				OUT.println("  reconciler: " + String.join("; ", this.reconcilerAnswers));
			}
			String last = finalPhase();
			List<String> repaired = this.checks.stream()
				.filter((c) -> !c.pass() && !c.safety() && c.phase().equals("recovered") && this.reconciled)
				.filter((c) -> this.checks.stream()
					.anyMatch((d) -> d.phase().equals("reconciled") && d.name().equals(c.name()) && d.pass()))
				.map(Check::name)
				.distinct()
				.toList();
			if (!repaired.isEmpty()) {
				OUT.println("  drift repaired by the reconciler: " + String.join(", ", repaired));
			}
			List<Check> breaches = breaches();
			OUT.println("  verdict: " + (breaches.isEmpty() ? "PASS" : "FAIL, " + breaches.size() + " breach(es): "
					+ breaches.stream().map((c) -> c.name() + "[" + c.phase() + "]").collect(Collectors.joining(" ")))
					+ " (final judgement: " + last + ")");
			OUT.println("CHAOS scenario=" + this.def.name() + " verdict=" + (breaches.isEmpty() ? "PASS" : "FAIL")
					+ " sent=" + this.sent.get() + " recover=" + recoverText().replace(" ", "")
					+ " breaches=" + breaches.size());
		}

		/** The answers every scenario requires of the service, whatever the fault: judged once, at the end. */
		void judgeAnswers() {
			check("scenario", true, "answers.no-5xx", this.server5xx.get() == 0,
					this.server5xx.get() + " answers were 5xx other than 503");
			check("scenario", true, "answers.retry-after", this.noRetryAfter.get() == 0,
					this.noRetryAfter.get() + " answers were 503 without Retry-After");
			check("scenario", true, "answers.bounded", this.unanswered.get() == 0,
					this.unanswered.get() + " requests had no answer within " + CLIENT_TIMEOUT_MS / 1000 + " s");
			if (this.fast503 && !this.fault503Micros.isEmpty()) {
				List<Long> sorted;
				synchronized (this.fault503Micros) {
					sorted = new ArrayList<>(this.fault503Micros);
				}
				Collections.sort(sorted);
				long p99 = pct(sorted, 99) / 1000;
				check("scenario", true, "answers.fast-503", p99 <= FAST_503_MS, String.format(
						"p99 of the %d 503s during the fault %d ms (bound %d ms; the contract's 300 ms is measured by "
								+ "load-tests/outage/)", sorted.size(), p99, FAST_503_MS));
			}
			for (String e : this.badExamples) {
				OUT.println("               e.g. " + e);
			}
		}

	}

	static String render(Map<String, LongAdder> counts) {
		return new TreeMap<>(counts).entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + e.getValue().sum())
			.collect(Collectors.joining(", "));
	}

	static long pct(List<Long> sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	/** Time to recover: from the fault's end, the flow is tried every 200 ms until it succeeds (60 s at most). */
	static Thread startProbe(Sc sc, Runnable flowMustSucceed) {
		Thread t = new Thread(() -> {
			long deadline = sc.faultEndNanos + 60_000_000_000L;
			while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
				try {
					flowMustSucceed.run();
					sc.recoverSeconds = (System.nanoTime() - sc.faultEndNanos) / 1e9;
					return;
				}
				catch (RuntimeException ex) {
					sleep(200);
				}
			}
		}, "probe-" + sc.def.name());
		t.setDaemon(true);
		t.start();
		return t;
	}

	static void awaitProbe(Sc sc) throws InterruptedException {
		Thread p = sc.probe;
		if (p != null) {
			p.join(65_000);
			sc.check("recovered", false, "recovery.within-60s", sc.recoverSeconds != null,
					sc.recoverSeconds != null ? String.format("first %s %.2f s after the fault ended", sc.recoverFlow,
							sc.recoverSeconds) : "no successful " + sc.recoverFlow + " within 60 s of the fault's end");
		}
	}

	/** A fresh token-only user claims the probe coupon: 201. */
	static Runnable couponProbe(Sc sc) {
		return () -> {
			long user = NEXT_TOKEN_USER.getAndIncrement();
			Resp r = call(A.base(), "POST", "/api/coupons/" + PROBE_COUPON + "/issue", token(user, false), null, null);
			if (r.status() != 201) {
				throw new IllegalStateException(r.outcome());
			}
		};
	}

	/** The probe buyer orders one unit of the probe product with a fresh key: 201. */
	static Runnable orderProbe(Sc sc) {
		return () -> {
			Resp r = call(A.base(), "POST", "/api/orders", PROBE_BUYER.token(),
					orderBody(PROBE_PRODUCT, 1, null), "chaos-probe-" + UUID.randomUUID());
			if (r.status() != 201) {
				throw new IllegalStateException(r.outcome());
			}
		};
	}

	// ---------------------------------------------------------------------------------------------------
	// load: tasks started evenly over a window, at most `concurrency` at once

	static final class Load {

		final ExecutorService pool;

		final ScheduledExecutorService pacer;

		final CountDownLatch done;

		Load(Sc sc, int concurrency, List<Runnable> tasks, double windowSec) {
			this.pool = Executors.newFixedThreadPool(concurrency);
			this.pacer = Executors.newSingleThreadScheduledExecutor();
			this.done = new CountDownLatch(tasks.size());
			sc.loads.add(this);
			for (int i = 0; i < tasks.size(); i++) {
				Runnable task = tasks.get(i);
				Runnable wrapped = () -> {
					try {
						task.run();
					}
					catch (RuntimeException ex) {
						sc.note("a task failed: " + ex);
					}
					finally {
						this.done.countDown();
					}
				};
				long at = (long) (i * windowSec * 1000 / Math.max(1, tasks.size()));
				this.pacer.schedule(() -> {
					try {
						this.pool.execute(wrapped);
					}
					catch (RuntimeException ex) {
						this.done.countDown();
					}
				}, at, TimeUnit.MILLISECONDS);
			}
		}

		boolean finished() {
			return this.done.getCount() == 0;
		}

		boolean await(long millis) throws InterruptedException {
			boolean ok = this.done.await(millis, TimeUnit.MILLISECONDS);
			stop();
			return ok;
		}

		void stop() {
			this.pacer.shutdownNow();
			this.pool.shutdownNow();
		}

	}

	static void runAll(Sc sc, int concurrency, List<Runnable> tasks, long deadlineMs) throws InterruptedException {
		Load load = new Load(sc, concurrency, tasks, 0);
		if (!load.await(deadlineMs)) {
			throw new IllegalStateException("tasks not done within " + deadlineMs / 1000 + " s");
		}
	}

	static boolean waitUntil(BooleanSupplier condition, long millis) {
		long deadline = System.nanoTime() + millis * 1_000_000;
		while (System.nanoTime() < deadline) {
			if (condition.getAsBoolean()) {
				return true;
			}
			sleep(10);
		}
		return condition.getAsBoolean();
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted");
		}
	}

	/** Harness validity: the fault must have hit a rush in progress, or the scenario tested nothing. */
	static void checkMidRush(Sc sc, boolean faultFired, long before, String what) {
		boolean ok = faultFired && before > 0 && sc.answeredDuringFault.get() + sc.answeredAfterFault.get() > 0;
		sc.check("scenario", true, "harness.fault-mid-rush", ok, ok
				? what + "; " + before + " requests before it, " + (sc.answeredDuringFault.get() + sc.answeredAfterFault.get())
						+ " during and after it"
				: "INVALID RUN, nothing was tested: the fault did not land mid-rush (" + what + ")");
	}

	// ---------------------------------------------------------------------------------------------------
	// coupons

	/** What each claimer was answered, in order. */
	static final class Claims {

		final Map<Long, List<Resp>> byUser = new ConcurrentHashMap<>();

		void add(long user, Resp r) {
			this.byUser.computeIfAbsent(user, (k) -> Collections.synchronizedList(new ArrayList<>())).add(r);
		}

		Map<Long, Set<Long>> winners() { // user -> every userCouponId its 201s carried
			Map<Long, Set<Long>> out = new HashMap<>();
			this.byUser.forEach((user, answers) -> {
				synchronized (answers) {
					for (Resp r : answers) {
						if (r.status() == 201) {
							out.computeIfAbsent(user, (k) -> new HashSet<>()).add(Json.num(r.body(), "userCouponId"));
						}
					}
				}
			});
			return out;
		}

		Set<Long> answered(int status, String code) {
			Set<Long> out = new HashSet<>();
			this.byUser.forEach((user, answers) -> {
				synchronized (answers) {
					for (Resp r : answers) {
						if (r.status() == status && (code == null || code.equals(r.code()))) {
							out.add(user);
						}
					}
				}
			});
			return out;
		}

		Resp last(long user) {
			List<Resp> answers = this.byUser.get(user);
			synchronized (answers) {
				return answers.get(answers.size() - 1);
			}
		}

	}

	/** One claim with a client's retry: after a 503 (its Retry-After, 2 s at most) or no answer, once more. */
	static Runnable claimTask(Sc sc, long coupon, long user, Claims claims, int times) {
		return () -> {
			String token = token(user, false);
			for (int n = 0; n < times; n++) {
				for (int attempt = 1; attempt <= 2; attempt++) {
					Resp r = sc.record(call(A.base(), "POST", "/api/coupons/" + coupon + "/issue", token, null, null));
					claims.add(user, r);
					if (r.status() == 201) {
						sc.wins.incrementAndGet();
					}
					if (r.status() != 503 && r.answered()) {
						break;
					}
					sleep(retryAfterMillis(r));
				}
			}
		};
	}

	static long retryAfterMillis(Resp r) {
		try {
			return Math.min(2000, Math.max(200, Long.parseLong(r.retryAfter()) * 1000));
		}
		catch (RuntimeException ex) {
			return 500;
		}
	}

	/** Waits until the coupon's Redis log is drained and issued_count has not moved for 1.5 s. */
	static boolean settleCoupon(Sc sc, long coupon, long millis) {
		long start = System.nanoTime();
		long[] last = { -1 };
		int[] stable = { 0 };
		boolean ok = waitUntil(() -> {
			sleep(500);
			long logLength = Redis.xlen("coupon:{" + coupon + "}:log");
			long issued = sqlLong("SELECT issued_count FROM coupons WHERE id = " + coupon);
			stable[0] = (issued == last[0]) ? stable[0] + 1 : 0;
			last[0] = issued;
			return logLength == 0 && stable[0] >= 3;
		}, millis);
		if (!ok) {
			sc.note(String.format("coupon %d did not settle within %d s: %d entries still in coupon:{%d}:log", coupon,
					millis / 1000, Redis.xlen("coupon:{" + coupon + "}:log"), coupon));
		}
		else {
			sc.note(String.format("coupon %d settled in %.1f s", coupon, (System.nanoTime() - start) / 1e9));
		}
		return ok;
	}

	/**
	 * The coupon invariants. Always (safety): issued_count == user_coupons rows <= total; every user answered
	 * 201 holds the row of the id they were given. After settling: every user answered 409
	 * COUPON_ALREADY_ISSUED holds a row (safety); issued_count == total - remaining in Redis, the holders hash
	 * holds exactly MySQL's holders, and N of N are issued when the demand was larger (convergence).
	 */
	static void judgeCoupon(Sc sc, String phase, long coupon, int total, Claims claims, boolean settled) {
		Map<Long, Set<Long>> winners = claims.winners();
		Set<Long> alreadyIssued = claims.answered(409, "COUPON_ALREADY_ISSUED");
		List<String[]> head = sql("SELECT issued_count, total_quantity, (SELECT COUNT(*) FROM user_coupons WHERE "
				+ "coupon_id = c.id) FROM coupons c WHERE id = " + coupon);
		long issued = Long.parseLong(head.get(0)[0]);
		long rows = Long.parseLong(head.get(0)[2]);
		Map<Long, Long> holders = new HashMap<>();
		for (String[] row : sql("SELECT user_id, id FROM user_coupons WHERE coupon_id = " + coupon)) {
			holders.put(Long.parseLong(row[0]), Long.parseLong(row[1]));
		}
		sc.check(phase, true, "coupon.rows", issued == rows && issued <= total,
				String.format("issued_count %d, user_coupons %d, total %d", issued, rows, total));
		List<String> noRow = new ArrayList<>();
		winners.forEach((user, ids) -> {
			if (ids.size() != 1 || !ids.contains(holders.get(user))) {
				noRow.add(user + "(got " + ids + ", row " + holders.get(user) + ")");
			}
		});
		List<String> twice = new ArrayList<>();
		claims.byUser.forEach((user, answers) -> {
			synchronized (answers) {
				long wins = answers.stream().filter((r) -> r.status() == 201).count();
				if (wins > 1) {
					twice.add(user + "(" + wins + "x)");
				}
			}
		});
		sc.check(phase, true, "coupon.one-201-per-user", twice.isEmpty(), String.format(
				"%d users answered 201 more than once%s", twice.size(), sample(twice)));
		sc.check(phase, true, "coupon.201-holds-row", noRow.isEmpty(),
				String.format("%d users answered 201, %d without their row%s", winners.size(), noRow.size(),
						sample(noRow)));
		if (!settled) {
			return;
		}
		List<Long> claimedNoRow = alreadyIssued.stream().filter((u) -> !holders.containsKey(u)).sorted().toList();
		sc.check(phase, true, "coupon.409-holds-row", claimedNoRow.isEmpty(),
				String.format("%d users answered 409 COUPON_ALREADY_ISSUED, %d of them hold no row%s",
						alreadyIssued.size(), claimedNoRow.size(), sample(claimedNoRow)));
		String remaining = Redis.remaining(coupon);
		String how = "";
		if (remaining == null) {
			// the operators' view installs a missing state (the service's own rebuild path)
			call(A.base(), "GET", "/api/admin/coupons/" + coupon, ADMIN, null, null);
			remaining = Redis.remaining(coupon);
			how = " (state was missing; installed by the admin view)";
		}
		long rem = (remaining == null) ? Long.MIN_VALUE : Long.parseLong(remaining);
		sc.check(phase, false, "coupon.redis-remaining", remaining != null && issued == total - rem,
				remaining == null ? "no Redis state" + how
						: String.format("issued_count %d vs total %d - remaining %d = %d%s", issued, total, rem,
								total - rem, how));
		Set<Long> set = new HashSet<>();
		for (String member : Redis.hkeys("coupon:{" + coupon + "}:holders")) {
			set.add(Long.parseLong(member));
		}
		Set<Long> missing = new HashSet<>(holders.keySet());
		missing.removeAll(set);
		Set<Long> extra = new HashSet<>(set);
		extra.removeAll(holders.keySet());
		sc.check(phase, false, "coupon.holders", missing.isEmpty() && extra.isEmpty(),
				String.format("Redis %d holders, MySQL %d holders: %d MySQL holders missing in Redis, %d Redis holders without a row",
						set.size(), holders.size(), missing.size(), extra.size()));
		long demand = claims.byUser.size();
		if (demand > total) {
			sc.check(phase, false, "coupon.exactly-n", issued == total,
					String.format("%d issued for %d on offer (%d distinct claimers)", issued, total, demand));
		}
	}

	/** Every user whose last answer was not a refusal claims again: a holder must hear 409. */
	static void reclaimPass(Sc sc, String phase, long coupon, Claims claims) throws InterruptedException {
		List<Long> users = claims.byUser.keySet()
			.stream()
			.filter((u) -> claims.last(u).status() != 410)
			.sorted()
			.toList();
		Claims again = new Claims();
		List<Runnable> tasks = users.stream().map((u) -> claimTask(sc, coupon, u, again, 1)).toList();
		runAll(sc, CFG.sizes().concurrency(), tasks, 120_000);
		users.forEach((u) -> claims.add(u, again.last(u)));
		Map<Long, Long> holders = new HashMap<>();
		for (String[] row : sql("SELECT user_id, id FROM user_coupons WHERE coupon_id = " + coupon)) {
			holders.put(Long.parseLong(row[0]), Long.parseLong(row[1]));
		}
		List<String> wrong = new ArrayList<>();
		int holdersAsked = 0;
		for (long u : users) {
			if (!holders.containsKey(u)) {
				continue;
			}
			holdersAsked++;
			Resp r = again.last(u);
			if (!(r.status() == 409 && "COUPON_ALREADY_ISSUED".equals(r.code()))) {
				wrong.add(u + ":" + r.outcome());
			}
		}
		sc.check(phase, true, "coupon.reclaim-409", wrong.isEmpty(),
				String.format("%d claimers asked again (%d holders): %d holders not answered 409%s", users.size(),
						holdersAsked, wrong.size(), sample(wrong)));
	}

	/**
	 * FLUSHDB mid coupon rush. A dense rush (every claimer within a couple of seconds, so group commits are in
	 * flight) is flushed each time Redis's remaining quantity falls past a threshold: half, a fifth, a
	 * twelfth of the total and the sell-out, then twice more while the crowd still claims. The last flushes
	 * land at the sell-out, where a rebuild that ignores the batches in flight over-admits (issue case 1).
	 */
	static void couponFlushdb(Sc sc) throws Exception {
		Sizes s = CFG.sizes();
		int total = s.couponTotal();
		long coupon = createCoupon(total, 1000);
		Claims claims = new Claims();
		long base = NEXT_TOKEN_USER.getAndAdd(s.couponClaimers() + 10);
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < s.couponClaimers(); i++) {
			tasks.add(claimTask(sc, coupon, base + i, claims, i % 5 == 0 ? 2 : 1));
		}
		// half, a fifth, a twelfth, the sell-out, and twice more while the crowd still claims
		int[] thresholds = { total / 2, total / 5, Math.max(1, total / 12), 0, 0, 0 };
		sc.note("coupon " + coupon + ": " + total + " on offer, " + s.couponClaimers() + " claimers over "
				+ s.couponWindowSec() + " s, every 5th claims twice; FLUSHDB when Redis's remaining falls to "
				+ thresholds[0] + ", " + thresholds[1] + ", " + thresholds[2] + " and 0, then twice more 150 ms apart");
		Load load = new Load(sc, s.concurrency(), tasks, s.couponWindowSec());
		List<String> flushes = new ArrayList<>();
		long before = 0;
		for (int i = 0; i < thresholds.length; i++) {
			int threshold = thresholds[i];
			if (i >= 4) {
				sleep(150);
			}
			boolean reached = waitUntil(() -> {
				String remaining = Redis.remaining(coupon);
				return load.finished() || (remaining != null && Long.parseLong(remaining) <= threshold);
			}, 60_000);
			if (!reached || load.finished()) {
				break;
			}
			if (i == 0) {
				before = sc.sent.get();
				judgeCoupon(sc, "entry", coupon, total, claims, false);
				sc.faultBegins();
			}
			String remaining = Redis.remaining(coupon);
			Redis.cmd("FLUSHDB");
			flushes.add("remaining " + remaining + ", " + sc.wins.get() + " 201s");
		}
		boolean fired = !flushes.isEmpty();
		if (fired) {
			sc.faultEnds("201 of a fresh coupon claim", couponProbe(sc));
			sc.note("FLUSHDB " + flushes.size() + " times, at: " + String.join("; ", flushes));
			sleep(500);
			judgeCoupon(sc, "during", coupon, total, claims, false);
		}
		load.await(120_000);
		checkMidRush(sc, fired, before, "FLUSHDB " + flushes.size() + " times");
		awaitProbe(sc);
		settleCoupon(sc, coupon, s.couponSettleMs());
		reclaimPass(sc, "recovered", coupon, claims);
		settleCoupon(sc, coupon, s.couponSettleMs());
		judgeCoupon(sc, "recovered", coupon, total, claims, true);
		if (reconcile(sc)) {
			topUp(sc, coupon, total, claims);
			judgeCoupon(sc, "reconciled", coupon, total, claims, true);
		}
		sc.judgeAnswers();
	}

	/** After a reconciliation, fresh claimers take whatever the repaired state offers. */
	static void topUp(Sc sc, long coupon, int total, Claims claims) throws InterruptedException {
		int n = Math.max(total / 2, 20);
		long base = NEXT_TOKEN_USER.getAndAdd(n + 10);
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			tasks.add(claimTask(sc, coupon, base + i, claims, 1));
		}
		runAll(sc, CFG.sizes().concurrency(), tasks, 120_000);
		settleCoupon(sc, coupon, CFG.sizes().couponSettleMs());
	}

	static void couponSrem(Sc sc) throws Exception {
		Sizes s = CFG.sizes();
		int total = s.sremTotal();
		long coupon = createCoupon(total, 1000);
		Claims claims = new Claims();
		long base = NEXT_TOKEN_USER.getAndAdd(total * 4L);
		List<Runnable> first = new ArrayList<>();
		for (int i = 0; i < total / 2; i++) {
			first.add(claimTask(sc, coupon, base + i, claims, 1));
		}
		runAll(sc, 8, first, 120_000);
		settleCoupon(sc, coupon, s.couponSettleMs());
		judgeCoupon(sc, "entry", coupon, total, claims, true);
		List<Long> removed = claims.winners().keySet().stream().sorted().limit(total / 4).toList();
		long before = sc.sent.get();
		sc.faultBegins();
		List<String> srem = new ArrayList<>(List.of("HDEL", "coupon:{" + coupon + "}:holders"));
		removed.forEach((u) -> srem.add(String.valueOf(u)));
		Object n = Redis.cmd(srem.toArray(String[]::new));
		sc.faultEnds("201 of a fresh coupon claim", couponProbe(sc));
		sc.note("coupon " + coupon + ": " + total + " on offer, " + total / 2 + " issued; HDEL removed " + n + " of "
				+ removed.size() + " holders from the holders hash; they claim again, then " + 2 * total
				+ " new claimers");
		Claims again = new Claims();
		runAll(sc, 8, removed.stream().map((u) -> claimTask(sc, coupon, u, again, 1)).toList(), 60_000);
		List<String> wrong = new ArrayList<>();
		for (long u : removed) {
			Resp r = again.last(u);
			claims.add(u, r);
			if (!(r.status() == 409 && "COUPON_ALREADY_ISSUED".equals(r.code()))) {
				wrong.add(u + ":" + r.outcome() + (r.status() == 201 ? "(id " + Json.num(r.body(), "userCouponId") + ")" : ""));
			}
		}
		sc.check("during", true, "coupon.reclaim-409", wrong.isEmpty(), String.format(
				"%d holders removed from the set claimed again: %d not answered 409%s", removed.size(), wrong.size(),
				sample(wrong)));
		judgeCoupon(sc, "during", coupon, total, claims, false);
		List<Runnable> second = new ArrayList<>();
		for (int i = 0; i < 2 * total; i++) {
			second.add(claimTask(sc, coupon, base + total + i, claims, 1));
		}
		Load load = new Load(sc, s.concurrency(), second, s.couponWindowSec() / 2);
		load.await(120_000);
		checkMidRush(sc, true, before, "HDEL of " + n + " holders");
		awaitProbe(sc);
		settleCoupon(sc, coupon, s.couponSettleMs());
		judgeCoupon(sc, "recovered", coupon, total, claims, true);
		if (reconcile(sc)) {
			topUp(sc, coupon, total, claims);
			judgeCoupon(sc, "reconciled", coupon, total, claims, true);
		}
		sc.judgeAnswers();
	}

	// ---------------------------------------------------------------------------------------------------
	// orders

	record Buyer(long id, String token) {
	}

	/** One POST /api/orders as a client sends it, with its retries under the same key, and its final answer. */
	static final class OrderReq {

		final Buyer buyer;

		final String key;

		final String body;

		final List<String> history = Collections.synchronizedList(new ArrayList<>());

		volatile Resp answer;

		OrderReq(Buyer buyer, String body) {
			this.buyer = buyer;
			this.key = "chaos-" + UUID.randomUUID();
			this.body = body;
		}

		/** Finished: an answer the service must replay as it is (not 202, 503, in progress or unanswered). */
		boolean finished() {
			Resp r = this.answer;
			if (r == null || !r.answered()) {
				return false;
			}
			int st = r.status();
			return st == 201 || st == 400 || st == 402 || st == 404 || st == 422
					|| (st == 409 && !"REQUEST_IN_PROGRESS".equals(r.code()));
		}

	}

	static String orderBody(long product, int quantity, Long userCouponId) {
		return "{\"items\":[{\"productId\":" + product + ",\"quantity\":" + quantity + "}]"
				+ (userCouponId != null ? ",\"userCouponId\":" + userCouponId : "") + "}";
	}

	/**
	 * Sends an order as a client would: up to 3 attempts under the same key; a 503 or 409 REQUEST_IN_PROGRESS
	 * is retried after its Retry-After (2 s at most), no answer at all is retried at once on the next base.
	 */
	static Runnable orderTask(Sc sc, OrderReq req, List<String> bases) {
		sc.orders.add(req);
		return () -> {
			int b = 0;
			for (int attempt = 1; attempt <= 3; attempt++) {
				String base = bases.get(Math.min(b, bases.size() - 1));
				Resp r = sc.record(call(base, "POST", "/api/orders", req.buyer.token(), req.body, req.key));
				req.history.add(r.outcome());
				req.answer = r;
				if (r.status() == 201) {
					sc.wins.incrementAndGet();
				}
				if (!r.answered()) {
					b++;
					continue;
				}
				boolean again = r.status() == 503 || (r.status() == 409 && "REQUEST_IN_PROGRESS".equals(r.code()));
				if (!again) {
					return;
				}
				sleep(retryAfterMillis(r));
			}
		};
	}

	static long orderWatermark() {
		return sqlLong("SELECT COALESCE(MAX(id), 0) FROM orders");
	}

	/** Waits until no order of the scenario is PENDING (recovery compensates them after its min-age). */
	static boolean settleOrders(Sc sc, long watermark, long millis) {
		long start = System.nanoTime();
		boolean ok = waitUntil(() -> {
			sleep(250);
			return sqlLong("SELECT COUNT(*) FROM orders WHERE id > " + watermark + " AND status = 'PENDING'") == 0;
		}, millis);
		long pending = sqlLong("SELECT COUNT(*) FROM orders WHERE id > " + watermark + " AND status = 'PENDING'");
		sc.check("recovered", false, "orders.settled", ok, ok
				? String.format("no PENDING order left %.1f s after the rush", (System.nanoTime() - start) / 1e9)
				: pending + " orders still PENDING " + millis / 1000 + " s after the rush");
		return ok;
	}

	/** Stock: always durable >= 0 and durable + units sold == units ever offered; after settling sellable == durable - units of PENDING orders. */
	static void judgeStock(Sc sc, String phase, long product, long offered, boolean settled) {
		String q = "SELECT p.stock, "
				+ sumItems(product, "'PAID'") + ", " + sumItems(product, "'PENDING'") + ", "
				+ countItems(product, "'FAILED'") + ", " + countItems(product, "'CANCELED'") + ", "
				+ "(SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = p.id "
				+ "AND o.status = 'FAILED' AND o.response_body LIKE '%Product % is out of stock.%') "
				+ "FROM products p WHERE p.id = " + product;
		String[] row = sql(q).get(0);
		long durable = Long.parseLong(row[0]);
		long paid = Long.parseLong(row[1]);
		long pending = Long.parseLong(row[2]);
		sc.check(phase, true, "stock.no-oversell", durable >= 0 && paid <= offered && durable + paid == offered,
				String.format("product %d: durable %d, units sold %d, offered %d (durable + sold = %d)", product, durable,
						paid, offered, durable + paid));
		if (!settled) {
			return;
		}
		String key = "stock:{catalog}:" + product;
		String sellable = Redis.get(key);
		String how = "";
		if (sellable == null) {
			call(A.base(), "GET", "/api/admin/products/" + product + "/sales", ADMIN, null, null);
			sellable = Redis.get(key);
			how = " (key was missing; loaded by the sales view)";
		}
		long sell = (sellable == null) ? Long.MIN_VALUE : Long.parseLong(sellable);
		sc.check(phase, false, "stock.sellable", sellable != null && sell == durable - pending,
				sellable == null ? "no stock key" + how
						: String.format("product %d: sellable %d vs durable %d - pending units %d = %d (drift %+d)%s; "
								+ "FAILED orders %s (of which refused by MySQL's stock guard %s), CANCELED %s",
								product, sell, durable, pending, durable - pending, sell - (durable - pending), how, row[3],
								row[5], row[4]));
	}

	static String sumItems(long product, String status) {
		return "(SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id "
				+ "WHERE i.product_id = " + product + " AND o.status = " + status + ")";
	}

	static String countItems(long product, String status) {
		return "(SELECT COUNT(*) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = " + product
				+ " AND o.status = " + status + ")";
	}

	/** Money: every user's balance equals the sum of their COMPLETED ledger rows (one statement, one snapshot). */
	static void judgeMoney(Sc sc, String phase) {
		String[] row = sql("SELECT (SELECT COUNT(*) FROM users), COUNT(*), COALESCE(GROUP_CONCAT(u.id ORDER BY u.id), '') "
				+ "FROM users u WHERE u.balance <> (SELECT COALESCE(SUM(t.amount), 0) FROM balance_transactions t "
				+ "WHERE t.user_id = u.id AND t.status = 'COMPLETED')").get(0);
		long bad = Long.parseLong(row[1]);
		sc.check(phase, true, "money.ledger", bad == 0, String.format("%s users, %d whose balance differs from their "
				+ "completed ledger%s", row[0], bad, bad == 0 ? "" : " (" + abbreviate(row[2]) + ")"));
	}

	/** Answers: every order answered 201 is PAID in MySQL (a 201 is sent after the commit). */
	static void judgePaidAnswers(Sc sc, String phase) {
		List<Long> ids = new ArrayList<>();
		for (OrderReq req : sc.orders) {
			Resp r = req.answer;
			if (r != null && r.status() == 201) {
				ids.add(Json.num(r.body(), "orderId"));
			}
		}
		if (ids.isEmpty()) {
			sc.check(phase, true, "orders.201-paid", true, "no 201 yet");
			return;
		}
		long paid = sqlLong("SELECT COUNT(*) FROM orders WHERE status = 'PAID' AND id IN ("
				+ ids.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")");
		sc.check(phase, true, "orders.201-paid", paid == ids.size(),
				String.format("%d orders answered 201, %d of them PAID in MySQL", ids.size(), paid));
	}

	/** Outbox: every PAID order of the scenario has its event; after settling each is SENT and reached the stub, or still PENDING with a due retry. */
	static void judgeOutbox(Sc sc, String phase, long watermark, boolean settled) {
		if (settled) {
			waitUntil(() -> {
				sleep(300);
				return sqlLong("SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.id > "
						+ watermark + " AND e.status <> 'SENT'") == 0;
			}, 30_000);
		}
		List<String[]> rows = sql("SELECT o.id, COALESCE(e.id, 0), COALESCE(e.status, 'NONE'), "
				+ "COALESCE(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), e.next_attempt_at), 0) FROM orders o "
				+ "LEFT JOIN order_events e ON e.order_id = o.id AND e.event_type = 'ORDER_PAID' "
				+ "WHERE o.id > " + watermark + " AND o.status = 'PAID'");
		Set<String> received = settled ? stubReceived() : Set.of();
		int none = 0;
		int sent = 0;
		int sentNotReceived = 0;
		int pendingDue = 0;
		int pendingLate = 0;
		int failed = 0;
		for (String[] r : rows) {
			switch (r[2]) {
				case "NONE" -> none++;
				case "SENT" -> {
					sent++;
					if (settled && !received.contains(r[1])) {
						sentNotReceived++;
					}
				}
				case "PENDING" -> {
					if (Long.parseLong(r[3]) <= 300) {
						pendingDue++;
					}
					else {
						pendingLate++;
					}
				}
				default -> failed++;
			}
		}
		boolean ok = none == 0 && (!settled || (sentNotReceived == 0 && pendingLate == 0 && failed == 0));
		sc.check(phase, true, "outbox.no-event-lost", ok, String.format(
				"%d PAID orders: %d without an event%s", rows.size(), none,
				settled ? String.format(", %d SENT (%d never received by the stub), %d PENDING due, %d PENDING not due "
						+ "within 5 min, %d FAILED", sent, sentNotReceived, pendingDue, pendingLate, failed) : ""));
	}

	static final Pattern STUB_LINE = Pattern.compile("eventId=(\\d+) .*-> 200");

	static Set<String> stubReceived() {
		Set<String> out = new HashSet<>();
		try {
			for (String line : Files.readAllLines(STUB_LOG)) {
				Matcher m = STUB_LINE.matcher(line);
				if (m.find()) {
					out.add(m.group(1));
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot read the stub's log", ex);
		}
		return out;
	}

	/** Replays: each finished request, same key and body, must answer the same status and bytes and create nothing. */
	static void judgeReplays(Sc sc, String phase, long watermark, String label) throws InterruptedException {
		List<OrderReq> finished = sc.orders.stream().filter(OrderReq::finished).toList();
		// the probe buyer's orders are left out: the recovery probe runs in its own thread and may place its
		// order while the replays run (that order is not a replay's)
		String scenarioOrders = "SELECT COUNT(*) FROM orders WHERE id > " + watermark + " AND user_id <> "
				+ PROBE_BUYER.id();
		long ordersBefore = sqlLong(scenarioOrders);
		List<String> differ = Collections.synchronizedList(new ArrayList<>());
		Map<String, LongAdder> changes = new ConcurrentHashMap<>();
		List<Runnable> tasks = new ArrayList<>();
		for (OrderReq req : finished) {
			tasks.add(() -> {
				Resp first = req.answer;
				Resp again = sc.record(call(A.base(), "POST", "/api/orders", req.buyer.token(), req.body, req.key));
				if (again.status() != first.status() || !again.body().equals(first.body())) {
					String change = first.outcome() + " -> " + again.outcome();
					changes.computeIfAbsent(change, (k) -> new LongAdder()).increment();
					differ.add(req.key + ": " + first.outcome() + " " + abbreviate(first.body()) + " / replay "
							+ again.outcome() + " " + abbreviate(again.body()));
				}
			});
		}
		runAll(sc, CFG.sizes().concurrency(), tasks, 180_000);
		long ordersAfter = sqlLong(scenarioOrders);
		sc.check(phase, true, "replays.same-answer", differ.isEmpty(),
				String.format("%s%d finished requests replayed, %d answered differently%s", label, finished.size(),
						differ.size(), differ.isEmpty() ? "" : " (" + render(changes) + ")"));
		for (String d : differ.subList(0, Math.min(2, differ.size()))) {
			OUT.println("               e.g. " + d);
		}
		sc.check(phase, true, "replays.create-nothing", ordersAfter == ordersBefore,
				String.format("orders of the scenario before the replays %d, after %d", ordersBefore, ordersAfter));
	}

	/** The order rush fixture: one hot product and 3x its stock in buyers, each ordering one unit. */
	record Rush(long product, int stock, List<Buyer> buyers, long watermark, double windowSec) {
	}

	static Rush rushFixture(Sc sc, int stock, int buyers, double windowSec) throws InterruptedException {
		long product = createProduct("chaos-" + sc.def.name(), 1000, stock);
		List<Buyer> list = createBuyers(buyers, 10_000, sc);
		long watermark = orderWatermark();
		sc.note("product " + product + ": stock " + stock + ", " + buyers + " buyers (one unit each) over "
				+ windowSec + " s; the fault once " + Math.max(1, stock / 4) + " are paid");
		return new Rush(product, stock, list, watermark, windowSec);
	}

	static List<Runnable> rushTasks(Sc sc, Rush rush, List<List<String>> basesPerBuyer) {
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < rush.buyers().size(); i++) {
			OrderReq req = new OrderReq(rush.buyers().get(i), orderBody(rush.product(), 1, null));
			tasks.add(orderTask(sc, req, basesPerBuyer.get(i % basesPerBuyer.size())));
		}
		return tasks;
	}

	static void judgeOrdersSafety(Sc sc, String phase, Rush rush) {
		judgeStock(sc, phase, rush.product(), rush.stock(), false);
		judgeMoney(sc, phase);
		judgePaidAnswers(sc, phase);
		judgeOutbox(sc, phase, rush.watermark(), false);
	}

	static void judgeOrdersAfter(Sc sc, String phase, Rush rush) throws InterruptedException {
		judgeStock(sc, phase, rush.product(), rush.stock(), true);
		judgeMoney(sc, phase);
		judgePaidAnswers(sc, phase);
		judgeOutbox(sc, phase, rush.watermark(), true);
		judgeReplays(sc, phase, rush.watermark(), "");
	}

	/** The common shape of the order scenarios: rush, fault at a quarter of the stock paid, settle, judge, reconcile. */
	static void orderScenario(Sc sc, Rush rush, List<List<String>> bases, Fault fault) throws Exception {
		orderScenario(sc, rush, bases, fault, () -> {
		});
	}

	/** ... with {@code afterRush} run once the rush is over, before recovery is judged. */
	static void orderScenario(Sc sc, Rush rush, List<List<String>> bases, Fault fault, ThrowingRunnable afterRush)
			throws Exception {
		Sizes s = CFG.sizes();
		Load load = new Load(sc, s.concurrency(), rushTasks(sc, rush, bases), rush.windowSec());
		boolean fired = waitUntil(() -> sc.wins.get() >= Math.max(1, rush.stock() / 4) || load.finished(), 120_000)
				&& !load.finished();
		long before = sc.sent.get();
		judgeOrdersSafety(sc, "entry", rush);
		int paidAtFault = sc.wins.get();
		sc.faultBegins();
		String what = fault.inject(sc, rush);
		if (sc.inFault) {
			sc.faultEnds("201 of an order of the probe product", orderProbe(sc));
		}
		sc.note(what + " (" + paidAtFault + " orders paid at fault entry)");
		load.await(180_000);
		checkMidRush(sc, fired, before, what);
		afterRush.run();
		awaitProbe(sc);
		settleOrders(sc, rush.watermark(), s.orderSettleMs());
		judgeOrdersAfter(sc, "recovered", rush);
		if (reconcile(sc)) {
			judgeOrdersAfter(sc, "reconciled", rush);
		}
		sc.judgeAnswers();
	}

	interface ThrowingRunnable {

		void run() throws Exception;

	}

	/** Injects a fault, runs the "during" judgement while it lasts, and says what it did. */
	interface Fault {

		String inject(Sc sc, Rush rush) throws Exception;

	}

	/**
	 * The stock key deleted mid order rush. The database answers slowly during the rush (the proxy adds
	 * {@value #SLOW_DB_MS} ms to every packet each way), so payments are in flight for a while after their
	 * reservation; the key is deleted once and the operators' sales view reloads it at once, while those
	 * reservations are still held (issue case 6).
	 */
	static void stockDel(Sc sc) throws Exception {
		Rush rush = rushFixture(sc, CFG.sizes().stock(), CFG.sizes().buyers(), CFG.sizes().orderWindowSec() / 2);
		PROXY.delayMillis = SLOW_DB_MS;
		try {
			orderScenario(sc, rush, List.of(List.of(A.base())), (s, r) -> {
				String key = "stock:{catalog}:" + r.product();
				Object reservations = Redis.cmd("KEYS", "reservation:{catalog}:*");
				int inFlight = (reservations instanceof List<?> l) ? l.size() : 0;
				long deleted = (Long) Redis.cmd("DEL", key);
				// an operator's sales view reloads the missing key at once, with reservations still in flight
				call(A.base(), "GET", "/api/admin/products/" + r.product() + "/sales", ADMIN, null, null);
				String reloaded = Redis.get(key);
				s.faultEnds("201 of an order of the probe product", orderProbe(s));
				sleep(1000);
				judgeOrdersSafety(s, "during", r);
				return "DEL " + key + " (deleted " + deleted + ") with " + inFlight + " reservation records in Redis, "
						+ "reloaded at once by the admin sales view to " + reloaded + "; the database slowed by "
						+ SLOW_DB_MS + " ms a packet each way during the rush";
			});
		}
		finally {
			PROXY.delayMillis = 0;
		}
	}

	static void redisKill(Sc sc) throws Exception {
		Rush rush = rushFixture(sc, CFG.sizes().stock(), CFG.sizes().buyers(), CFG.sizes().orderWindowSec());
		long outage = CFG.sizes().redisOutageMs();
		orderScenario(sc, rush, List.of(List.of(A.base())), (s, r) -> {
			REDIS.kill9();
			sleep(outage / 2);
			judgeOrdersSafety(s, "during", r);
			sleep(outage - outage / 2);
			REDIS.start();
			return "kill -9 of redis-server, restarted empty after " + outage + " ms";
		});
	}

	static void dbFault(Sc sc, boolean freeze) throws Exception {
		Rush rush = rushFixture(sc, CFG.sizes().stock(), CFG.sizes().buyers(), CFG.sizes().orderWindowSec());
		// a freeze outlasts the client's timeout: an unbounded wait on the database shows as "no answer"; its
		// 503s come after whatever timeout detects it, so only answers.bounded judges their time
		sc.fast503 = !freeze;
		long outage = freeze ? CLIENT_TIMEOUT_MS + 5_000 : CFG.sizes().dbOutageMs();
		orderScenario(sc, rush, List.of(List.of(A.base())), (s, r) -> {
			int open = freeze ? PROXY.freeze() : PROXY.cut();
			sleep(outage / 2);
			judgeOrdersSafety(s, "during", r);
			sleep(outage - outage / 2);
			int cutAtEnd = PROXY.forward();
			return freeze
					? "froze " + open + " database connections (no bytes forwarded, new ones held) for " + outage
							+ " ms, then reset the " + cutAtEnd + " frozen ones"
					: "reset " + open + " database connections and refused new ones for " + outage + " ms";
		});
	}

	static void kill9Instance(Sc sc) throws Exception {
		Service b = B;
		if (b == null || !b.alive()) {
			b = new Service("B", CFG.portB());
			b.start();
			B = b;
		}
		if (!b.awaitReady(300_000)) {
			throw new IllegalStateException("service B did not become ready within 300 s; see " + b.log);
		}
		Rush rush = rushFixture(sc, CFG.sizes().stock(), CFG.sizes().buyers(), CFG.sizes().orderWindowSec());
		sc.note("orders alternate between A and B; a request to B that gets no answer is retried on A, same key");
		Service killed = b;
		orderScenario(sc, rush, List.of(List.of(A.base()), List.of(b.base(), A.base())), (s, r) -> {
			killed.kill9();
			s.faultEnds("201 of an order of the probe product (on A)", orderProbe(s));
			sleep(1000);
			judgeOrdersSafety(s, "during", r);
			return "kill -9 of instance B (pid " + killed.pid() + ")";
		});
	}

	static void replayFlushdb(Sc sc) throws Exception {
		Sizes s = CFG.sizes();
		int stock = s.replayStock();
		long hot = createProduct("chaos-replay-hot", 1000, stock);
		long other = createProduct("chaos-replay-other", 1000, 1000);
		long event = createCoupon(1000, 500);
		long watermark = orderWatermark();
		List<Buyer> rushBuyers = createBuyers(2 * stock, 10_000, sc);
		List<Buyer> missingBuyers = createBuyers(6, 10_000, sc);
		List<Buyer> couponBuyers = createBuyers(3, 10_000, sc);
		List<Buyer> brokeBuyers = createBuyers(4, 0, sc);
		List<String> bases = List.of(A.base());
		// 201 and 409 INSUFFICIENT_STOCK: twice as many buyers as units
		List<Runnable> rush = new ArrayList<>();
		for (Buyer b : rushBuyers) {
			rush.add(orderTask(sc, new OrderReq(b, orderBody(hot, 1, null)), bases));
		}
		runAll(sc, 8, rush, 120_000);
		// 404 PRODUCT_NOT_FOUND for the id the next product will get
		long nextProduct = sqlLong("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
				+ CFG.dbName + "' AND TABLE_NAME = 'products'");
		for (Buyer b : missingBuyers) {
			orderTask(sc, new OrderReq(b, orderBody(nextProduct, 1, null)), bases).run();
		}
		// 400 INVALID_COUPON for the user coupon id the buyer is about to be issued
		int armedCoupons = 0;
		for (Buyer b : couponBuyers) {
			long nextUserCoupon = sqlLong("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
					+ CFG.dbName + "' AND TABLE_NAME = 'user_coupons'");
			orderTask(sc, new OrderReq(b, orderBody(other, 1, nextUserCoupon)), bases).run();
			Resp claim = sc.record(call(A.base(), "POST", "/api/coupons/" + event + "/issue", b.token(), null, null));
			if (claim.status() == 201 && Json.num(claim.body(), "userCouponId") == nextUserCoupon) {
				armedCoupons++;
			}
		}
		// 402 INSUFFICIENT_BALANCE (the order row keeps this answer: the control group)
		for (Buyer b : brokeBuyers) {
			orderTask(sc, new OrderReq(b, orderBody(other, 1, null)), bases).run();
		}
		Map<String, LongAdder> firsts = new ConcurrentHashMap<>();
		sc.orders.forEach((o) -> firsts.computeIfAbsent(o.answer.outcome(), (k) -> new LongAdder()).increment());
		sc.note("first answers: " + render(firsts));
		judgeReplays(sc, "entry", watermark, "Redis intact: ");
		// the world moves on: the hot product is restocked, the missing product is created, the broke buyers charge
		call(A.base(), "PATCH", "/api/admin/products/" + hot, ADMIN, "{\"stock\":" + stock + "}", null);
		long created = createProduct("chaos-replay-late", 1000, 100);
		for (Buyer b : brokeBuyers) {
			call(A.base(), "POST", "/api/balance/charge", b.token(), "{\"amount\":10000}", null);
		}
		sc.note("then: product " + hot + " restocked to " + stock + ", product " + created
				+ (created == nextProduct ? " created (the id the 404s asked for)" : " created (NOT the 404s' id "
						+ nextProduct + ")")
				+ ", " + armedCoupons + " of 3 INVALID_COUPON buyers now hold the coupon id they sent, the 402 buyers "
				+ "charged 10,000 KRW");
		judgeReplays(sc, "entry", watermark, "world changed, Redis intact: ");
		long before = sc.sent.get();
		sc.faultBegins();
		Redis.cmd("FLUSHDB");
		sc.faultEnds("201 of an order of the probe product", orderProbe(sc));
		judgeReplays(sc, "during", watermark, "after FLUSHDB: ");
		checkMidRush(sc, true, before, "FLUSHDB, then every finished request replayed");
		awaitProbe(sc);
		settleOrders(sc, watermark, s.orderSettleMs());
		judgeStock(sc, "recovered", hot, 2L * stock, true);
		judgeStock(sc, "recovered", other, 1000, true);
		if (created == nextProduct) {
			judgeStock(sc, "recovered", created, 100, true);
		}
		judgeMoney(sc, "recovered");
		judgePaidAnswers(sc, "recovered");
		judgeOutbox(sc, "recovered", watermark, true);
		judgeReplays(sc, "recovered", watermark, "again: ");
		if (reconcile(sc)) {
			judgeStock(sc, "reconciled", hot, 2L * stock, true);
			judgeMoney(sc, "reconciled");
			judgeReplays(sc, "reconciled", watermark, "after reconciliation: ");
		}
		sc.judgeAnswers();
	}

	// ---------------------------------------------------------------------------------------------------
	// Redis Cluster failover

	/**
	 * The 503 window of a failover: from the first to the last 503 answered after the kill (every client's
	 * timeline merged), and from the kill to the last 503; judged against the cluster's node timeout + 1 s.
	 */
	static void judgeFailoverWindow(Sc sc, String what) {
		List<Long> at;
		synchronized (sc.answered503At) {
			at = sc.answered503At.stream().filter((t) -> t >= sc.faultAtNanos).sorted().toList();
		}
		long bound = CFG.clusterNodeTimeoutMs + 1000L;
		if (at.isEmpty()) {
			sc.check("scenario", false, "failover.503-window", true, "no 503 after the kill of " + what);
			OUT.println("CHAOS failover scenario=" + sc.def.name() + " window_ms=0 kill_to_last_ms=0 n503=0");
			return;
		}
		long window = (at.get(at.size() - 1) - at.get(0)) / 1_000_000;
		long fromKill = (at.get(at.size() - 1) - sc.faultAtNanos) / 1_000_000;
		sc.check("scenario", false, "failover.503-window", window <= bound, String.format(
				"%d 503s from %d ms to %d ms after the kill of %s: window %d ms (bound: node timeout %d ms + 1 s = %d ms)",
				at.size(), (at.get(0) - sc.faultAtNanos) / 1_000_000, fromKill, what, window, CFG.clusterNodeTimeoutMs,
				bound));
		OUT.println("CHAOS failover scenario=" + sc.def.name() + " window_ms=" + window + " kill_to_last_ms=" + fromKill
				+ " n503=" + at.size() + " refresh=" + (CFG.clusterUntuned ? "lettuce-defaults" : "tuned"));
	}

	/**
	 * kill -9 of the master serving the coupon's slot once half the coupons are claimed; the claimers keep
	 * coming for 8 s (every claim, sold out or not, asks that slot), the node restarts 10 s after the kill and
	 * rejoins as a replica. A replica may lag: issues the master acknowledged can be lost with it, and MySQL
	 * (which decides) and the reconciler put them back.
	 */
	static void clusterFailoverCoupon(Sc sc) throws Exception {
		RedisCluster cluster = (RedisCluster) REDIS;
		Sizes s = CFG.sizes();
		int total = s.couponTotal();
		int claimers = 3 * s.couponClaimers();
		double window = 8;
		long coupon = createCoupon(total, 1000);
		Claims claims = new Claims();
		long base = NEXT_TOKEN_USER.getAndAdd(claimers + 10);
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < claimers; i++) {
			tasks.add(claimTask(sc, coupon, base + i, claims, i % 5 == 0 ? 2 : 1));
		}
		sc.note("coupon " + coupon + ": " + total + " on offer, " + claimers + " claimers over " + window
				+ " s, every 5th claims twice; kill -9 of the master of its slot when Redis's remaining falls to "
				+ total / 2);
		Load load = new Load(sc, s.concurrency(), tasks, window);
		boolean reached = waitUntil(() -> {
			String remaining = Redis.remaining(coupon);
			return load.finished() || (remaining != null && Long.parseLong(remaining) <= total / 2);
		}, 60_000);
		boolean fired = reached && !load.finished();
		long before = sc.sent.get();
		String what = "nothing";
		if (fired) {
			judgeCoupon(sc, "entry", coupon, total, claims, false);
			int port = cluster.masterOf("coupon:{" + coupon + "}:state");
			sc.faultBegins();
			long pid = cluster.kill9Node(port);
			what = "the master 127.0.0.1:" + port + " (pid " + pid + ") of coupon:{" + coupon + "}";
			sc.faultEnds("201 of a fresh coupon claim", couponProbe(sc));
			sleep(1000);
			judgeCoupon(sc, "during", coupon, total, claims, false);
		}
		load.await(120_000);
		checkMidRush(sc, fired, before, "kill -9 of " + what);
		judgeFailoverWindow(sc, what);
		awaitProbe(sc);
		cluster.start();
		sc.note("the killed node restarted and rejoined: cluster_state ok = " + cluster.up() + "; the slot's master is now 127.0.0.1:"
				+ cluster.masterOf("coupon:{" + coupon + "}:state"));
		settleCoupon(sc, coupon, s.couponSettleMs());
		reclaimPass(sc, "recovered", coupon, claims);
		settleCoupon(sc, coupon, s.couponSettleMs());
		judgeCoupon(sc, "recovered", coupon, total, claims, true);
		if (reconcile(sc)) {
			topUp(sc, coupon, total, claims);
			judgeCoupon(sc, "reconciled", coupon, total, claims, true);
		}
		sc.judgeAnswers();
	}

	/**
	 * kill -9 of the master serving {catalog} (every stock key and reservation) once a quarter of the stock is
	 * paid, mid order rush; restarted after the rush to rejoin as a replica. Judged like redis-kill: no
	 * oversell, money exact, replays unchanged, events delivered, the reconciler repairs the drift.
	 */
	static void clusterFailoverOrder(Sc sc) throws Exception {
		RedisCluster cluster = (RedisCluster) REDIS;
		Rush rush = rushFixture(sc, CFG.sizes().stock(), CFG.sizes().buyers(), CFG.sizes().orderWindowSec());
		String[] killed = { "nothing" };
		orderScenario(sc, rush, List.of(List.of(A.base())), (s, r) -> {
			int port = cluster.masterOf("stock:{catalog}:" + r.product());
			long pid = cluster.kill9Node(port);
			killed[0] = "the master 127.0.0.1:" + port + " (pid " + pid + ") of {catalog}";
			s.faultEnds("201 of an order of the probe product", orderProbe(s));
			sleep(1000);
			judgeOrdersSafety(s, "during", r);
			return "kill -9 of " + killed[0];
		}, () -> {
			judgeFailoverWindow(sc, killed[0]);
			cluster.start();
			sc.note("the killed node restarted and rejoined: cluster_state ok = " + cluster.up());
		});
	}

	// ---------------------------------------------------------------------------------------------------
	// the reconcilers

	/** Calls both admin reconcilers; true when at least one exists (then the caller judges again). */
	static boolean reconcile(Sc sc) {
		boolean any = false;
		for (String path : List.of("/api/admin/coupons/reconcile", "/api/admin/products/reconcile")) {
			Resp r = call(A.base(), "POST", path, ADMIN, null, null);
			if (r.status() == 404 || r.status() == 405) {
				sc.reconcilerAnswers.add("none (POST " + path + " -> " + r.status() + ")");
			}
			else {
				any = r.status() >= 200 && r.status() < 300;
				sc.reconcilerAnswers.add("POST " + path + " -> " + r.outcome() + " " + abbreviate(r.body()));
			}
		}
		OUT.println("  reconciler: " + String.join("; ", sc.reconcilerAnswers)
				+ (any ? "" : " -> no reconciler: the recovered judgement is final"));
		sc.reconciled = any;
		if (any) {
			sleep(1000);
		}
		return any;
	}

	// ---------------------------------------------------------------------------------------------------
	// fixtures through the admin API

	static long createCoupon(int total, int discount) {
		Instant now = Instant.now();
		String body = "{\"code\":\"CHAOS-" + UUID.randomUUID().toString().substring(0, 13) + "\",\"name\":\"chaos\","
				+ "\"discountAmount\":" + discount + ",\"totalQuantity\":" + total + ",\"startsAt\":\""
				+ now.minusSeconds(60) + "\",\"endsAt\":\"" + now.plusSeconds(7200) + "\",\"validDays\":7}";
		Resp r = call(A.base(), "POST", "/api/admin/coupons", ADMIN, body, null);
		if (r.status() != 201) {
			throw new IllegalStateException("creating a coupon: " + r.outcome() + " " + r.body());
		}
		return Json.num(r.body(), "id");
	}

	static long createProduct(String name, long price, long stock) {
		Resp r = call(A.base(), "POST", "/api/admin/products", ADMIN,
				"{\"name\":\"" + name + "\",\"price\":" + price + ",\"stock\":" + stock + "}", null);
		if (r.status() != 201) {
			throw new IllegalStateException("creating a product: " + r.outcome() + " " + r.body());
		}
		return Json.num(r.body(), "id");
	}

	static List<Buyer> createBuyers(int count, long charge, Sc sc) throws InterruptedException {
		List<Buyer> out = Collections.synchronizedList(new ArrayList<>());
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			tasks.add(() -> {
				Resp u = call(A.base(), "POST", "/api/admin/users", ADMIN, "{\"name\":\"chaos buyer\"}", null);
				if (u.status() != 201) {
					throw new IllegalStateException("creating a user: " + u.outcome());
				}
				long id = Json.num(u.body(), "id");
				String token = token(id, false);
				for (long left = charge; left > 0; left -= 100_000) {
					Resp c = call(A.base(), "POST", "/api/balance/charge", token,
							"{\"amount\":" + Math.min(left, 100_000) + "}", null);
					if (c.status() != 200) {
						throw new IllegalStateException("charging a user: " + c.outcome());
					}
				}
				out.add(new Buyer(id, token));
			});
		}
		ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, Math.max(1, count)));
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (Runnable t : tasks) {
				futures.add(pool.submit(t));
			}
			for (Future<?> f : futures) {
				try {
					f.get(120, TimeUnit.SECONDS);
				}
				catch (java.util.concurrent.ExecutionException | TimeoutException ex) {
					throw new IllegalStateException("fixtures: " + ex.getMessage(), ex);
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		List<Buyer> sorted = new ArrayList<>(out);
		sorted.sort((x, y) -> Long.compare(x.id(), y.id()));
		return sorted;
	}

	// ---------------------------------------------------------------------------------------------------
	// HTTP and tokens

	static final HttpClient HTTP = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	record Resp(int status, String body, String retryAfter, long nanos, String error) {

		boolean answered() {
			return this.status > 0;
		}

		String code() {
			return Json.str(this.body, "code");
		}

		String outcome() {
			if (this.status == 0) {
				return "no answer (" + this.error + ")";
			}
			String code = code();
			return (code != null) ? this.status + " " + code : String.valueOf(this.status);
		}

	}

	static Resp call(String base, String method, String path, String token, String body, String idempotencyKey) {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
			.timeout(Duration.ofMillis(CLIENT_TIMEOUT_MS))
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
					: HttpRequest.BodyPublishers.ofString(body));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		if (body != null) {
			b.header("Content-Type", "application/json");
		}
		if (idempotencyKey != null) {
			b.header("Idempotency-Key", idempotencyKey);
		}
		long start = System.nanoTime();
		try {
			HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
			return new Resp(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null),
					System.nanoTime() - start, null);
		}
		catch (HttpTimeoutException ex) {
			return new Resp(0, "", null, System.nanoTime() - start, "timeout");
		}
		catch (ConnectException ex) {
			return new Resp(0, "", null, System.nanoTime() - start, "refused");
		}
		catch (IOException ex) {
			return new Resp(0, "", null, System.nanoTime() - start, "connection lost");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return new Resp(0, "", null, System.nanoTime() - start, "interrupted");
		}
	}

	static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(CFG.secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return mac;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	});

	static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

	/** An HS256 JWT as the service's local profile expects it (load-tests/wrk/mint-tokens.py does the same). */
	static String token(long userId, boolean admin) {
		String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
		String claims = "{\"sub\":\"" + userId + "\",\"exp\":" + (Instant.now().getEpochSecond() + 7200) + ",\"roles\":"
				+ (admin ? "[\"ADMIN\"]" : "[]") + "}";
		String input = header + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		return input + "." + B64.encodeToString(MAC.get().doFinal(input.getBytes(StandardCharsets.US_ASCII)));
	}

	/** Top-level members of the service's flat JSON answers. */
	static final class Json {

		static String str(String json, String field) {
			if (json == null) {
				return null;
			}
			Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
			return m.find() ? m.group(1) : null;
		}

		static long num(String json, String field) {
			Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?\\d+)").matcher(json == null ? "" : json);
			if (!m.find()) {
				throw new IllegalStateException("no " + field + " in " + json);
			}
			return Long.parseLong(m.group(1));
		}

	}

	static String sample(List<?> items) {
		if (items.isEmpty()) {
			return "";
		}
		return " (e.g. " + items.stream().limit(3).map(String::valueOf).collect(Collectors.joining(", ")) + ")";
	}

	static String abbreviate(String s) {
		if (s == null) {
			return "";
		}
		return s.length() <= 160 ? s : s.substring(0, 157) + "...";
	}

	// ---------------------------------------------------------------------------------------------------
	// MySQL through the command-line client

	static String mysqlClient;

	static List<String[]> sql(String query) {
		try {
			return sqlOn(CFG.dbName, query);
		}
		catch (IOException ex) {
			throw new IllegalStateException("SQL failed: " + ex.getMessage() + " in: " + query);
		}
	}

	static long sqlLong(String query) {
		List<String[]> rows = sql(query);
		return rows.isEmpty() || rows.get(0)[0].equals("NULL") ? 0 : Long.parseLong(rows.get(0)[0]);
	}

	static void sqlAdmin(String statements) throws IOException {
		sqlOn(null, statements);
	}

	static List<String[]> sqlOn(String db, String query) throws IOException {
		if (mysqlClient == null) {
			mysqlClient = onPath("mariadb") ? "mariadb" : "mysql";
		}
		List<String> cmd = new ArrayList<>(List.of(mysqlClient, "--protocol=tcp", "-h", CFG.dbHost, "-P",
				String.valueOf(CFG.dbPort), "-u", CFG.dbUser, "-N", "-B", "-e", query));
		if (db != null) {
			cmd.add(db);
		}
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
		pb.environment().put("MYSQL_PWD", CFG.dbPassword);
		Process p = pb.start();
		byte[] out;
		byte[] err;
		try (InputStream in = p.getInputStream(); InputStream e = p.getErrorStream()) {
			out = in.readAllBytes();
			err = e.readAllBytes();
			if (!p.waitFor(30, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IOException("the SQL client did not finish in 30 s");
			}
		}
		catch (InterruptedException ex) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IOException("interrupted");
		}
		if (p.exitValue() != 0) {
			throw new IOException(new String(err, StandardCharsets.UTF_8).trim());
		}
		List<String[]> rows = new ArrayList<>();
		for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
			if (!line.isEmpty()) {
				rows.add(line.split("\t", -1));
			}
		}
		return rows;
	}

	static boolean onPath(String tool) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
			if (Files.isExecutable(Paths.get(dir, tool))) {
				return true;
			}
		}
		return false;
	}

	// ---------------------------------------------------------------------------------------------------
	// Redis: the suite's own server and a minimal RESP client (one connection per command)

	static final class Redis {

		/** On a cluster: the node last answered without a redirect. */
		static volatile int clusterPort;

		/**
		 * One command. On a cluster it follows MOVED redirects and, while a node is down or the cluster
		 * fails over (refused connection, CLUSTERDOWN, TRYAGAIN), tries the other nodes for up to 15 s.
		 */
		static Object cmd(String... args) {
			if (!CFG.cluster()) {
				return cmdAt(CFG.redisPort, args);
			}
			long deadline = System.nanoTime() + 15_000_000_000L;
			int port = (clusterPort == 0) ? CFG.clusterBase : clusterPort;
			int next = 0;
			while (true) {
				try {
					Object reply = cmdAt(port, args);
					clusterPort = port;
					return reply;
				}
				catch (IllegalStateException ex) {
					String message = String.valueOf(ex.getMessage());
					Matcher moved = Pattern.compile("(?:MOVED|ASK) \\d+ [^:]+:(\\d+)").matcher(message);
					if (moved.find()) {
						port = Integer.parseInt(moved.group(1));
						continue;
					}
					if (System.nanoTime() > deadline) {
						throw ex;
					}
					// refused (a dead node), CLUSTERDOWN or TRYAGAIN: the next node, a moment later
					port = CFG.clusterBase + (next++ % 6);
					sleep(50);
				}
			}
		}

		static Object cmdAt(int port, String... args) {
			try (Socket s = new Socket()) {
				s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
				s.setSoTimeout(5000);
				ByteArrayOutputStream req = new ByteArrayOutputStream();
				req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
				for (String a : args) {
					byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
					req.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
					req.writeBytes(bytes);
					req.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
				}
				OutputStream out = s.getOutputStream();
				out.write(req.toByteArray());
				out.flush();
				return read(new java.io.BufferedInputStream(s.getInputStream()));
			}
			catch (IOException ex) {
				throw new IllegalStateException("Redis " + args[0] + ": " + ex.getMessage());
			}
		}

		static Object read(InputStream in) throws IOException {
			String line = line(in);
			char type = line.charAt(0);
			String rest = line.substring(1);
			switch (type) {
				case '+':
					return rest;
				case '-':
					throw new IOException(rest);
				case ':':
					return Long.parseLong(rest);
				case '$': {
					int n = Integer.parseInt(rest);
					if (n < 0) {
						return null;
					}
					byte[] bytes = in.readNBytes(n + 2);
					return new String(bytes, 0, n, StandardCharsets.UTF_8);
				}
				case '*': {
					int n = Integer.parseInt(rest);
					if (n < 0) {
						return null;
					}
					List<Object> items = new ArrayList<>();
					for (int i = 0; i < n; i++) {
						items.add(read(in));
					}
					return items;
				}
				default:
					throw new IOException("unexpected RESP reply " + line);
			}
		}

		static String line(InputStream in) throws IOException {
			StringBuilder sb = new StringBuilder();
			int c;
			while ((c = in.read()) != -1) {
				if (c == '\r') {
					in.read();
					return sb.toString();
				}
				sb.append((char) c);
			}
			throw new IOException("Redis closed the connection");
		}

		static String get(String key) {
			return (String) cmd("GET", key);
		}

		static String hget(String key, String field) {
			return (String) cmd("HGET", key, field);
		}

		static long xlen(String key) {
			return (Long) cmd("XLEN", key);
		}

		/**
		 * What Redis offers of a coupon event: total - holders, or 0 once flagged sold out (the service
		 * derives it the same way in coupon-issue.lua); null when the state is not installed.
		 */
		static String remaining(long coupon) {
			String state = "coupon:{" + coupon + "}:state";
			if (!"2".equals(hget(state, "v"))) {
				return null;
			}
			if ("1".equals(hget(state, "soldOut"))) {
				return "0";
			}
			long total = Long.parseLong(hget(state, "total"));
			return String.valueOf(total - (Long) cmd("HLEN", "coupon:{" + coupon + "}:holders"));
		}

		static List<String> hkeys(String key) {
			List<String> out = new ArrayList<>();
			for (Object o : (List<?>) cmd("HKEYS", key)) {
				out.add((String) o);
			}
			return out;
		}

	}

	static class RedisServer {

		final int port;

		final Path log;

		Process process;

		RedisServer(int port, Path log) {
			this.port = port;
			this.log = log;
		}

		void start() throws SetupFailure, IOException {
			if (up()) {
				if (this.process == null) {
					throw new SetupFailure("port " + this.port + " already has a Redis: the suite needs its own "
							+ "(CHAOS_REDIS_PORT chooses another)");
				}
				return;
			}
			this.process = spawn(List.of("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(this.port),
					"--save", "", "--appendonly", "no", "--dir", CFG.out.toString()), Map.of(), this.log);
			if (!waitUntil(this::up, 15_000)) {
				throw new SetupFailure("redis-server did not answer on " + this.port + " within 15 s; see " + this.log);
			}
		}

		void kill9() throws InterruptedException {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
			CHILDREN.remove(this.process);
		}

		boolean up() {
			try {
				return "PONG".equals(Redis.cmd("PING"));
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

	}

	/**
	 * The suite's own Redis Cluster (load-tests/redis-cluster/cluster.sh, 3 masters and 3 replicas, files
	 * under the run's log directory). A node killed by a scenario is started again by {@link #start} and
	 * rejoins as a replica of the master that replaced it.
	 */
	static final class RedisCluster extends RedisServer {

		final Path dir;

		boolean started;

		RedisCluster(int base) {
			super(base, CFG.out.resolve("redis-cluster"));
			this.dir = CFG.out.resolve("redis-cluster");
		}

		List<String> script(String command) {
			return List.of("bash", CFG.root.resolve("load-tests/redis-cluster/cluster.sh").toString(), command,
					"--base-port", String.valueOf(this.port), "--node-timeout", String.valueOf(CFG.clusterNodeTimeoutMs));
		}

		@Override
		void start() throws SetupFailure, IOException {
			if (!this.started && portOpen(this.port)) {
				throw new SetupFailure("port " + this.port + " already has a Redis: the suite needs its own cluster "
						+ "(CHAOS_CLUSTER_BASE_PORT or --cluster=<port> chooses others)");
			}
			Files.createDirectories(this.dir);
			ProcessBuilder pb = new ProcessBuilder(script("start")).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(CFG.out.resolve("redis-cluster.log").toFile()));
			pb.environment().put("CLUSTER_DIR", this.dir.toString());
			try {
				Process p = pb.start();
				if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
					p.destroyForcibly();
					throw new SetupFailure("the Redis Cluster did not start; see " + CFG.out.resolve("redis-cluster.log"));
				}
			}
			catch (InterruptedException ex) {
				throw new SetupFailure("interrupted while starting the Redis Cluster");
			}
			this.started = true;
		}

		void stop() {
			if (!this.started) {
				return;
			}
			ProcessBuilder pb = new ProcessBuilder(script("stop")).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(CFG.out.resolve("redis-cluster.log").toFile()));
			pb.environment().put("CLUSTER_DIR", this.dir.toString());
			try {
				pb.start().waitFor(30, TimeUnit.SECONDS);
			}
			catch (IOException | InterruptedException ex) {
				OUT.println("[chaos] could not stop the Redis Cluster: " + ex);
			}
		}

		@Override
		boolean up() {
			for (int p = this.port; p < this.port + 6; p++) {
				try {
					Object info = cmdAt(p, "CLUSTER", "INFO");
					if (!String.valueOf(info).contains("cluster_state:ok")) {
						return false;
					}
				}
				catch (RuntimeException ex) {
					return false;
				}
			}
			return true;
		}

		static Object cmdAt(int port, String... args) {
			return Redis.cmdAt(port, args);
		}

		/** The port of the master serving {@code key}'s slot, from CLUSTER NODES. */
		int masterOf(String key) {
			long slot = (Long) Redis.cmd("CLUSTER", "KEYSLOT", key);
			for (String line : String.valueOf(Redis.cmd("CLUSTER", "NODES")).split("\n")) {
				String[] f = line.trim().split(" ");
				if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
					continue;
				}
				for (int i = 8; i < f.length; i++) {
					String[] range = f[i].split("-");
					if (range[0].startsWith("[")) {
						continue;
					}
					long from = Long.parseLong(range[0]);
					long to = (range.length > 1) ? Long.parseLong(range[1]) : from;
					if (slot >= from && slot <= to) {
						String address = f[1].split("@")[0];
						return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
					}
				}
			}
			throw new IllegalStateException("no master serves the slot of " + key);
		}

		/** kill -9 of the node on {@code port} (its pid from cluster.sh's pid file). */
		long kill9Node(int port) throws IOException {
			long pid = Long.parseLong(Files.readString(this.dir.resolve("redis-" + port + ".pid")).trim());
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
			return pid;
		}

	}

	// ---------------------------------------------------------------------------------------------------
	// the service

	static final class Service {

		final String name;

		final int port;

		final Path log;

		Process process;

		Service(String name, int port) {
			this.name = name;
			this.port = port;
			this.log = CFG.out.resolve("service-" + name + ".log");
		}

		String base() {
			return "http://127.0.0.1:" + this.port;
		}

		void start() throws IOException, SetupFailure {
			if (portOpen(this.port)) {
				throw new SetupFailure("port " + this.port + " is taken: the suite's service needs it (CHAOS_PORT_BASE "
						+ "chooses others)");
			}
			Map<String, String> env = new HashMap<>();
			env.put("DB_HOST", "127.0.0.1");
			env.put("DB_PORT", String.valueOf(CFG.proxyPort()));
			env.put("DB_NAME", CFG.dbName);
			env.put("DB_USER", CFG.dbUser);
			env.put("DB_PASSWORD", CFG.dbPassword);
			env.put("REDIS_HOST", "127.0.0.1");
			env.put("REDIS_PORT", String.valueOf(CFG.redisPort));
			List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx" + CFG.xmx, "-jar", CFG.jar.toString(),
					"--spring.profiles.active=local", "--server.port=" + this.port, "--app.backends.selection=off",
					"--app.data-platform.base-url=http://127.0.0.1:" + CFG.stubPort(),
					"--app.orders.recovery.min-age=10s", "--app.orders.recovery.interval=2s",
					"--app.coupon.recovery.interval=5s"));
			if (CFG.cluster()) {
				List<String> nodes = new ArrayList<>();
				for (int p = CFG.clusterBase; p < CFG.clusterBase + 6; p++) {
					nodes.add("127.0.0.1:" + p);
				}
				env.put("SPRING_DATA_REDIS_CLUSTER_NODES", String.join(",", nodes));
				if (CFG.clusterUntuned) {
					// Lettuce's own defaults: adaptive rereads at most every 5 s, after 5 failed reconnects, no periodic one
					command.addAll(List.of("--app.redis.cluster-refresh-period=3600s",
							"--app.redis.cluster-refresh-rate-limit=5s", "--app.redis.cluster-refresh-reconnect-attempts=5"));
				}
			}
			// extra service arguments, e.g. CHAOS_SERVICE_ARGS="--app.redis.cluster-refresh-period=500ms"
			for (String extra : env("CHAOS_SERVICE_ARGS", "").split(" ")) {
				if (!extra.isBlank()) {
					command.add(extra);
				}
			}
			this.process = spawn(command, env, this.log);
			log("service " + this.name + " starting on port " + this.port + " (pid " + this.process.pid() + ")");
		}

		boolean awaitReady(long millis) {
			long start = System.nanoTime();
			boolean ok = waitUntil(() -> {
				if (!alive()) {
					return true;
				}
				sleep(500);
				return call(base(), "GET", "/actuator/health/readiness", null, null, null).status() == 200;
			}, millis) && alive();
			log("service " + this.name + (ok ? String.format(" ready after %.0f s", (System.nanoTime() - start) / 1e9)
					: " NOT ready (see " + this.log + ")"));
			return ok;
		}

		boolean alive() {
			return this.process != null && this.process.isAlive();
		}

		long pid() {
			return this.process.pid();
		}

		void kill9() throws InterruptedException {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}

	}

	static final List<Process> CHILDREN = new CopyOnWriteArrayList<>();

	static Process spawn(List<String> command, Map<String, String> env, Path log) throws IOException {
		ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		pb.environment().putAll(env);
		Process p = pb.start();
		CHILDREN.add(p);
		return p;
	}

	static String javaBin() {
		return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
	}

	static boolean portOpen(int port) {
		try (Socket s = new Socket()) {
			s.connect(new InetSocketAddress("127.0.0.1", port), 300);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	// ---------------------------------------------------------------------------------------------------
	// the database proxy: forwards, cuts (resets every connection and refuses new ones) or freezes

	static final class DbProxy {

		enum Mode { FORWARD, CUT, FREEZE }

		final int port;

		final String host;

		final int upstreamPort;

		final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();

		volatile Mode mode = Mode.FORWARD;

		/** Added to every forwarded chunk, each way: a slow database. */
		volatile long delayMillis;

		ServerSocket server;

		DbProxy(int port, String host, int upstreamPort) {
			this.port = port;
			this.host = host;
			this.upstreamPort = upstreamPort;
		}

		void start() throws IOException {
			this.server = new ServerSocket();
			this.server.setReuseAddress(true);
			this.server.bind(new InetSocketAddress("127.0.0.1", this.port), 256);
			Thread acceptor = new Thread(this::accept, "db-proxy");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		void accept() {
			while (!this.server.isClosed()) {
				try {
					Socket client = this.server.accept();
					client.setTcpNoDelay(true);
					Mode m = this.mode;
					if (m == Mode.CUT) {
						reset(client);
						continue;
					}
					Pipe pipe = new Pipe(client, m == Mode.FREEZE);
					this.pipes.add(pipe);
					pipe.start();
				}
				catch (IOException ex) {
					// closed, or one failed accept
				}
			}
		}

		/** Resets every open connection and refuses new ones until {@link #forward}; returns how many were cut. */
		int cut() {
			this.mode = Mode.CUT;
			return resetAll();
		}

		/** Stops forwarding: open connections get no more bytes either way, new ones are accepted and held. */
		int freeze() {
			this.mode = Mode.FREEZE;
			this.pipes.forEach((p) -> p.frozen = true);
			return this.pipes.size();
		}

		/** Forwards again; connections frozen until now are reset (their half-sent bytes are lost). */
		int forward() {
			this.delayMillis = 0;
			int cut = 0;
			if (this.mode == Mode.FREEZE) {
				cut = resetAll();
			}
			this.mode = Mode.FORWARD;
			return cut;
		}

		int resetAll() {
			int n = 0;
			for (Pipe p : this.pipes) {
				p.close();
				n++;
			}
			return n;
		}

		void close() {
			try {
				if (this.server != null) {
					this.server.close();
				}
			}
			catch (IOException ex) {
				// closing anyway
			}
			resetAll();
		}

		static void reset(Socket s) {
			try {
				s.setSoLinger(true, 0);
				s.close();
			}
			catch (IOException ex) {
				// already gone
			}
		}

		final class Pipe {

			final Socket client;

			volatile Socket upstream;

			volatile boolean frozen;

			Pipe(Socket client, boolean frozen) {
				this.client = client;
				this.frozen = frozen;
			}

			void start() {
				Thread t = new Thread(() -> {
					try {
						while (this.frozen && !this.client.isClosed()) {
							Thread.sleep(20);
						}
						Socket up = new Socket();
						up.connect(new InetSocketAddress(DbProxy.this.host, DbProxy.this.upstreamPort), 2000);
						up.setTcpNoDelay(true);
						this.upstream = up;
						if (this.client.isClosed()) {
							close();
							return;
						}
						Thread back = new Thread(() -> pump(up, this.client), "db-proxy-down");
						back.setDaemon(true);
						back.start();
						pump(this.client, up);
					}
					catch (IOException | InterruptedException ex) {
						close();
					}
				}, "db-proxy-up");
				t.setDaemon(true);
				t.start();
			}

			void pump(Socket from, Socket to) {
				byte[] buf = new byte[16384];
				try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
					int n;
					while ((n = in.read(buf)) >= 0) {
						long delay = DbProxy.this.delayMillis;
						if (delay > 0) {
							Thread.sleep(delay);
						}
						while (this.frozen) {
							if (from.isClosed()) {
								return;
							}
							Thread.sleep(20);
						}
						out.write(buf, 0, n);
						out.flush();
					}
				}
				catch (IOException | InterruptedException ex) {
					// one side went away
				}
				finally {
					close();
				}
			}

			void close() {
				DbProxy.this.pipes.remove(this);
				reset(this.client);
				Socket up = this.upstream;
				if (up != null) {
					reset(up);
				}
			}

		}

	}

}
