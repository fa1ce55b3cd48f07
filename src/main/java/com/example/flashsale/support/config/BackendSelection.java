package com.example.flashsale.support.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

import com.example.flashsale.support.config.BackendChoice.Kind;

/**
 * Chooses, once at startup and on the main thread, what serves the database and Redis
 * (docs/architecture.md "Backends at startup"): the configured or local services when both answer
 * ({@code DB_HOST}/{@code DB_PORT}, {@code REDIS_HOST}/{@code REDIS_PORT}, by default 127.0.0.1:3306 and
 * :6379), otherwise Docker when an engine answers (Compose for {@code spring-boot:run}, Testcontainers in
 * the tests), otherwise an embedded MariaDB and/or Redis ({@link EmbeddedEngines}, development and tests
 * only) for each one that does not answer. It runs when the environment is ready and logging is set up,
 * before any bean needs a connection, and writes its choice into the environment: the
 * {@code app.backends.*} properties that {@code BackendsSummary} and the test infrastructure read,
 * {@code spring.docker.compose.enabled=false} unless Docker serves, and for an embedded engine the
 * {@code spring.r2dbc.*}, {@code spring.flyway.*} or {@code spring.data.redis.*} connection properties.
 * When nothing can serve a backend, startup fails with one sentence saying what to do
 * ({@link BackendsUnavailableException}). Embedded engines are stopped when the JVM shuts down, after the
 * last application context that used them has closed.
 * <p>
 * Switched off with {@code app.backends.selection=off}: the configuration is then used as it is.
 */
public class BackendSelection implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	/** Prefix of the properties this selection reads and writes. */
	public static final String PREFIX = "app.backends.";

	/** Property: what serves the database ({@code local}, {@code docker} or {@code embedded}). */
	public static final String DATABASE = PREFIX + "database";

	/** Property: what serves Redis ({@code local}, {@code docker} or {@code embedded}). */
	public static final String REDIS = PREFIX + "redis";

	/** Property: the database server's product and version when known, e.g. {@code MariaDB 10.11.19}. */
	public static final String DATABASE_SERVER = PREFIX + "database-server";

	/** Property: the Redis server's product and version when known, e.g. {@code Redis 7.0.15}. */
	public static final String REDIS_SERVER = PREFIX + "redis-server";

	/** Property: where the embedded engines keep their files, default {@code target/embedded}. */
	public static final String EMBEDDED_DIR = PREFIX + "embedded-dir";

	private static final String COMPOSE_ENABLED = "spring.docker.compose.enabled";

	private static final Log logger = LogFactory.getLog(BackendSelection.class);

	/** Application contexts of this JVM that use an embedded engine and are not closed yet. */
	private static final AtomicInteger contextsOnEmbedded = new AtomicInteger();

	private static final AtomicBoolean stopRegistered = new AtomicBoolean();

	/** After logging is initialised, so that the engines' own logs follow {@code logging.level.*}. */
	@Override
	public int getOrder() {
		return LoggingApplicationListener.DEFAULT_ORDER + 1;
	}

	/**
	 * Probes, decides, starts embedded engines when needed and records the choice in the environment.
	 * @param event the prepared environment of a starting application
	 * @throws BackendsUnavailableException when nothing can serve the database or Redis
	 */
	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if ("off".equalsIgnoreCase(environment.getProperty(PREFIX + "selection", "auto"))) {
			return;
		}
		long started = System.nanoTime();
		Duration timeout = environment.getProperty(PREFIX + "probe-timeout", Duration.class, Duration.ofSeconds(1));
		Optional<DatabaseUrl> r2dbc = DatabaseUrl.parse(environment.getProperty("spring.r2dbc.url"));
		Optional<DatabaseUrl> flyway = DatabaseUrl.parse(environment.getProperty("spring.flyway.url"));
		String redisHost = environment.getProperty("spring.data.redis.host", "127.0.0.1");
		int redisPort = environment.getProperty("spring.data.redis.port", Integer.class, 6379);
		// a Redis Cluster (spring.data.redis.cluster.nodes) is what Spring Boot connects to when configured:
		// it answers when any of its listed nodes does (docs/operations.md "Redis Cluster")
		List<String> clusterNodes = clusterNodes(environment.getProperty("spring.data.redis.cluster.nodes"));

		Optional<String> databaseServer = r2dbc.flatMap((url) -> BackendProbes.mysqlServer(url.host(), url.port(), timeout));
		// no database configured at all: nothing to choose for it
		boolean databaseAnswers = r2dbc.isEmpty() || databaseServer.isPresent();
		Optional<String> redisServer = clusterNodes.isEmpty() ? BackendProbes.redisServer(redisHost, redisPort, timeout)
				: clusterServer(clusterNodes, timeout);
		Boolean compose = environment.getProperty(COMPOSE_ENABLED, Boolean.class);
		boolean bothAnswer = databaseAnswers && redisServer.isPresent();
		ClassLoader classLoader = event.getSpringApplication().getClassLoader();
		boolean docker = Boolean.TRUE.equals(compose) || (compose == null && !bothAnswer && dockerUsable(classLoader)
				&& BackendProbes.dockerEngineAnswers(System.getenv(), timeout));
		EmbeddedEngines engines = (bothAnswer || docker) ? null : EmbeddedEngines.load(classLoader);
		BackendChoice choice = Boolean.TRUE.equals(compose) ? new BackendChoice(Kind.DOCKER, Kind.DOCKER)
				: BackendChoice.decide(databaseAnswers, redisServer.isPresent(), docker, engines != null);

		String databaseAddress = r2dbc.map(DatabaseUrl::address).orElse("(none configured)");
		String redisAddress = clusterNodes.isEmpty() ? redisHost + ":" + redisPort
				: "the Redis Cluster " + String.join(",", clusterNodes);
		if (choice.anyUnserved()) {
			throw BackendsUnavailableException.nothingServes(
					(choice.database() == Kind.NONE) ? databaseAddress : null,
					(choice.redis() == Kind.NONE) ? redisAddress : null);
		}
		Map<String, Object> properties = new HashMap<>();
		properties.put(DATABASE, choice.database().label());
		properties.put(REDIS, choice.redis().label());
		databaseServer.ifPresent((server) -> properties.put(DATABASE_SERVER, server));
		redisServer.ifPresent((server) -> properties.put(REDIS_SERVER, server));
		if (!choice.docker()) {
			properties.put(COMPOSE_ENABLED, "false");
		}
		if (choice.anyEmbedded()) {
			Path directory = Path.of(environment.getProperty(EMBEDDED_DIR, "target/embedded")).toAbsolutePath();
			properties.put(EMBEDDED_DIR, directory.toString());
			List<String> startedNames = new ArrayList<>();
			try {
				if (choice.database() == Kind.EMBEDDED) {
					Set<String> databases = new LinkedHashSet<>();
					r2dbc.ifPresent((url) -> databases.add(url.database()));
					flyway.ifPresent((url) -> databases.add(url.database()));
					EmbeddedEngines.Started database = engines.startDatabase(directory, databases);
					r2dbc.ifPresent((url) -> properties.put("spring.r2dbc.url", url.at("127.0.0.1", database.port())));
					flyway.ifPresent((url) -> properties.put("spring.flyway.url", url.at("127.0.0.1", database.port())));
					// the embedded server accepts any user without a password
					properties.put("spring.r2dbc.username", "root");
					properties.put("spring.r2dbc.password", "");
					properties.put("spring.flyway.user", "root");
					properties.put("spring.flyway.password", "");
					properties.put(DATABASE_SERVER, database.server());
					startedNames.add(database.server());
				}
				if (choice.redis() == Kind.EMBEDDED) {
					EmbeddedEngines.Started redis = engines.startRedis(directory);
					properties.put("spring.data.redis.host", "127.0.0.1");
					properties.put("spring.data.redis.port", redis.port());
					properties.put("spring.data.redis.password", "");
					properties.put(REDIS_SERVER, redis.server());
					startedNames.add(redis.server());
				}
			}
			catch (IllegalStateException ex) {
				throw BackendsUnavailableException.embeddedFailed(ex.getMessage(), directory, ex);
			}
			finally {
				stopEmbeddedOnShutdown(engines);
			}
			countContextsOnEmbedded(event.getSpringApplication());
			logger.info("Backends: nothing answers at " + unanswered(choice, databaseAddress, redisAddress)
					+ " and no Docker engine answers: using the embedded " + String.join(" and ", startedNames)
					+ " under " + directory + " (ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms)");
		}
		else if (choice.docker()) {
			logger.info("Backends: " + (bothAnswer ? "Docker Compose requested" : "nothing answers at "
					+ unanswered(choice, databaseAddress, redisAddress) + "; a Docker engine answers")
					+ ": the database and Redis come from Docker (Compose for spring-boot:run, Testcontainers in tests)");
		}
		environment.getPropertySources().addFirst(new MapPropertySource("backends", properties));
	}

	/** The listed nodes of {@code spring.data.redis.cluster.nodes} ({@code host:port,...}); empty when unset. */
	static List<String> clusterNodes(String property) {
		List<String> nodes = new ArrayList<>();
		if (property != null) {
			for (String node : property.split(",")) {
				if (!node.isBlank()) {
					nodes.add(node.trim());
				}
			}
		}
		return nodes;
	}

	/** The server of the first listed node that answers, marked as a cluster; empty when none does. */
	private static Optional<String> clusterServer(List<String> nodes, Duration timeout) {
		for (String node : nodes) {
			int colon = node.lastIndexOf(':');
			if (colon <= 0) {
				continue;
			}
			try {
				int port = Integer.parseInt(node.substring(colon + 1));
				Optional<String> server = BackendProbes.redisServer(node.substring(0, colon), port, timeout);
				if (server.isPresent()) {
					return Optional.of(server.get() + " Cluster");
				}
			}
			catch (NumberFormatException ex) {
				// not host:port: Spring Boot refuses it with its own message
			}
		}
		return Optional.empty();
	}

	/**
	 * Whether something here could use a Docker engine: Spring Boot's Compose support (development; it is
	 * not in the packaged jar) or Testcontainers (tests).
	 */
	private static boolean dockerUsable(ClassLoader classLoader) {
		return ClassUtils.isPresent("org.springframework.boot.docker.compose.core.DockerCompose", classLoader)
				|| ClassUtils.isPresent("org.testcontainers.DockerClientFactory", classLoader);
	}

	private static String unanswered(BackendChoice choice, String databaseAddress, String redisAddress) {
		List<String> where = new ArrayList<>();
		if (choice.database() != Kind.LOCAL) {
			where.add(databaseAddress + " (database)");
		}
		if (choice.redis() != Kind.LOCAL) {
			where.add(redisAddress + " (Redis)");
		}
		return String.join(" nor ", where);
	}

	/** Each context using an embedded engine counts itself until its last bean is destroyed. */
	private static void countContextsOnEmbedded(SpringApplication application) {
		application.addInitializers((context) -> {
			if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry registry) {
				contextsOnEmbedded.incrementAndGet();
				// registered before any bean, so destroyed after all of them: the pools are closed by then
				registry.registerDisposableBean("embeddedEnginesInUse", contextsOnEmbedded::decrementAndGet);
			}
		});
	}

	/**
	 * Stops the engines when the JVM shuts down, once every context that used them has closed: the
	 * contexts close in shutdown hooks of their own (Spring Boot's, or the test framework's) at the same
	 * time, so this one waits for them, up to 30 s. The engines run in sessions of their own and would
	 * outlive the JVM otherwise.
	 */
	private static void stopEmbeddedOnShutdown(EmbeddedEngines engines) {
		if (!stopRegistered.compareAndSet(false, true)) {
			return;
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (contextsOnEmbedded.get() > 0 && System.nanoTime() < deadline) {
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			engines.stopAll();
		}, "embedded-engines-stop"));
	}

}
