package com.example.flashsale.support.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.example.flashsale.FlashSaleApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last step of docs/architecture.md "Backends at startup", for real: with nothing answering at the
 * configured ports and Docker switched off, the selection starts the embedded MariaDB and Redis, points
 * the connection properties at them, and they serve SQL and Redis commands. Runs in every build, whatever
 * the rest of the suite uses (it shares the suite's embedded engines when the suite runs on them too).
 */
class EmbeddedFallbackTest {

	@Test
	void closedPortsAndNoDockerMeanEmbeddedEnginesThatServe() throws Exception {
		int closedDatabase = closedPort();
		int closedRedis = closedPort();
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
				"spring.r2dbc.url", "r2dbc:mysql://127.0.0.1:" + closedDatabase + "/embedded_check?connectionTimeZone=UTC",
				"spring.flyway.url", "jdbc:mariadb://127.0.0.1:" + closedDatabase + "/embedded_check",
				"spring.data.redis.host", "127.0.0.1",
				"spring.data.redis.port", Integer.toString(closedRedis),
				"spring.docker.compose.enabled", "false",
				"app.backends.embedded-dir", "target/embedded-test")));

		new BackendSelection().onApplicationEvent(new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(),
				new SpringApplication(FlashSaleApplication.class), new String[0], environment));

		assertThat(environment.getProperty(BackendSelection.DATABASE)).isEqualTo("embedded");
		assertThat(environment.getProperty(BackendSelection.REDIS)).isEqualTo("embedded");
		assertThat(environment.getProperty("spring.docker.compose.enabled")).isEqualTo("false");
		DatabaseUrl flyway = DatabaseUrl.parse(environment.getProperty("spring.flyway.url")).orElseThrow();
		DatabaseUrl r2dbc = DatabaseUrl.parse(environment.getProperty("spring.r2dbc.url")).orElseThrow();
		assertThat(flyway.port()).isNotEqualTo(closedDatabase).isEqualTo(r2dbc.port());
		assertThat(r2dbc.database()).isEqualTo("embedded_check");
		assertThat(environment.getProperty("spring.r2dbc.url")).endsWith("?connectionTimeZone=UTC");

		try (Connection connection = DriverManager.getConnection(flyway.at("127.0.0.1", flyway.port()),
				environment.getProperty("spring.flyway.user"), environment.getProperty("spring.flyway.password"));
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS probe (id INT PRIMARY KEY, note VARCHAR(20))");
			statement.execute("REPLACE INTO probe VALUES (1, 'served')");
			try (ResultSet rows = statement.executeQuery("SELECT note, VERSION() FROM probe WHERE id = 1")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getString(1)).isEqualTo("served");
				assertThat(rows.getString(2)).contains("MariaDB");
			}
		}

		int redisPort = environment.getProperty("spring.data.redis.port", Integer.class, 0);
		assertThat(redisPort).isNotEqualTo(closedRedis);
		assertThat(BackendProbes.redisServer("127.0.0.1", redisPort, Duration.ofSeconds(2))).hasValueSatisfying(
				(server) -> assertThat(server).startsWith("Redis "));
		RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort + "/2");
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().set("embedded:check", "served");
			assertThat(connection.sync().get("embedded:check")).isEqualTo("served");
		}
		finally {
			client.shutdown();
		}
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
