package com.example.flashsale.support.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Logs one line once the service is ready, saying what serves each backend and where
 * (docs/architecture.md "Backends at startup"), e.g. {@code Backends: database=local MariaDB 10.11.19
 * at 127.0.0.1:3306/test, redis=embedded Redis 6.2.6 at 127.0.0.1:41517, data platform=http://127.0.0.1:8089}.
 * The addresses are those of the connections the service really uses (Compose's and Testcontainers'
 * included); the data platform is marked when nothing listens there. Runs on the main thread.
 */
@Component
class BackendsSummary implements ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(BackendsSummary.class);

	private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);

	private final Environment environment;

	private final ObjectProvider<R2dbcConnectionDetails> database;

	private final ObjectProvider<DataRedisConnectionDetails> redis;

	BackendsSummary(Environment environment, ObjectProvider<R2dbcConnectionDetails> database,
			ObjectProvider<DataRedisConnectionDetails> redis) {
		this.environment = environment;
		this.database = database;
		this.redis = redis;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		logger.info(line());
	}

	/** The summary line. */
	String line() {
		return "Backends: database=" + describe(BackendSelection.DATABASE, BackendSelection.DATABASE_SERVER, databaseAddress(), "mariadb")
				+ ", redis=" + describe(BackendSelection.REDIS, BackendSelection.REDIS_SERVER, redisAddress(), "redis")
				+ ", data platform=" + dataPlatform();
	}

	private String describe(String kindProperty, String serverProperty, String address, String embeddedFolder) {
		String kind = this.environment.getProperty(kindProperty, "configured");
		String server = this.environment.getProperty(serverProperty);
		StringBuilder text = new StringBuilder(kind);
		if (server != null && !"docker".equals(kind)) {
			text.append(' ').append(server);
		}
		text.append(" at ").append(address);
		if ("embedded".equals(kind)) {
			text.append(" (files in ").append(this.environment.getProperty(BackendSelection.EMBEDDED_DIR, "target/embedded"))
				.append('/').append(embeddedFolder).append(')');
		}
		return text.toString();
	}

	private String databaseAddress() {
		R2dbcConnectionDetails details = this.database.getIfAvailable();
		if (details == null) {
			return DatabaseUrl.parse(this.environment.getProperty("spring.r2dbc.url")).map(DatabaseUrl::address).orElse("?");
		}
		ConnectionFactoryOptions options = details.getConnectionFactoryOptions();
		Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
		return options.getValue(ConnectionFactoryOptions.HOST) + ":" + options.getValue(ConnectionFactoryOptions.PORT)
				+ ((database != null) ? "/" + database : "");
	}

	private String redisAddress() {
		DataRedisConnectionDetails details = this.redis.getIfAvailable();
		if (details != null && details.getCluster() != null) {
			return String.join(",", details.getCluster().getNodes().stream().map((node) -> node.host() + ":" + node.port()).toList());
		}
		if (details == null || details.getStandalone() == null) {
			return this.environment.getProperty("spring.data.redis.host", "?") + ":"
					+ this.environment.getProperty("spring.data.redis.port", "?");
		}
		DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
		return standalone.getHost() + ":" + standalone.getPort()
				+ ((standalone.getDatabase() != 0) ? " db " + standalone.getDatabase() : "");
	}

	private String dataPlatform() {
		String url = this.environment.getProperty("app.data-platform.base-url", "http://127.0.0.1:8089");
		try {
			URI uri = URI.create(url);
			int port = (uri.getPort() > 0) ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
			if (!BackendProbes.listening(Objects.requireNonNull(uri.getHost()), port, PROBE_TIMEOUT)) {
				return url + " (nothing listens there: order events wait and are retried; "
						+ "java load-tests/data-platform/DataPlatformStub.java starts a stub)";
			}
		}
		catch (RuntimeException ex) {
			// an unparsable URL is shown as it is
		}
		return url;
	}

}
