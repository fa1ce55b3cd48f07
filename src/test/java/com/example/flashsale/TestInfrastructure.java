package com.example.flashsale;

import java.util.Arrays;
import java.util.List;

import com.redis.testcontainers.RedisContainer;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Node;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import com.example.flashsale.support.config.BackendSelection;

/**
 * The one test configuration for MySQL and Redis, following the service's own startup choice
 * ({@code BackendSelection}, docs/architecture.md "Backends at startup"): the MySQL/MariaDB and Redis
 * configured or already listening on localhost when both answer (the {@code test} profile points at
 * database {@code flashsale_test}, or {@code TEST_DB_NAME}, on {@code DB_HOST}/{@code DB_PORT}, and at
 * Redis db 1 on {@code REDIS_HOST}/{@code REDIS_PORT}); otherwise Testcontainers MySQL 8.4 and Redis 7
 * when a Docker engine answers; otherwise an embedded MariaDB and/or Redis under
 * {@code target/embedded-test}, started by the selection before this configuration is read. Tests never
 * skip for lack of Docker, and Testcontainers is asked only when a Docker engine answered. The service reaches Redis through a {@link RedisFaultProxy}, so outage tests can
 * cut it, and the database through {@link DatabaseFaults}, so tests can fail a statement or a commit.
 * Every answer of the shared {@code WebTestClient} is validated against the OpenAPI document
 * ({@link OpenApiContract}).
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestInfrastructure {

	@Bean
	@ServiceConnection
	@Conditional(DockerChosen.class)
	MySQLContainer mysql() {
		// the MariaDB JDBC driver (Flyway) accepts the container's jdbc:mysql: URL only with this flag
		return new MySQLContainer(DockerImageName.parse("mysql:8.4")).withUrlParam("permitMysqlScheme", "true");
	}

	@Bean
	@Conditional(DockerChosen.class)
	RedisContainer redis() {
		return new RedisContainer(DockerImageName.parse("redis:7"));
	}

	@Bean(destroyMethod = "close")
	RedisFaultProxy redisFaultProxy(ObjectProvider<RedisContainer> container, Environment environment) {
		RedisContainer redis = container.getIfAvailable();
		if (redis != null) {
			redis.start();
			return new RedisFaultProxy(redis.getRedisHost(), redis.getRedisPort());
		}
		return new RedisFaultProxy(environment.getProperty("spring.data.redis.host", "127.0.0.1"),
				environment.getProperty("spring.data.redis.port", Integer.class, 6379));
	}

	@Bean
	DataRedisConnectionDetails redisThroughProxy(RedisFaultProxy proxy, Environment environment) {
		int database = environment.getProperty("spring.data.redis.database", Integer.class, 0);
		String clusterNodes = environment.getProperty("spring.data.redis.cluster.nodes");
		if (clusterNodes != null && !clusterNodes.isBlank()) {
			// SPRING_DATA_REDIS_CLUSTER_NODES: the suite runs on that Redis Cluster, without the fault proxy
			// (docs/operations.md "Redis Cluster"; the outage tests need a single Redis and are not run there)
			proxy.bypassed();
			List<Node> nodes = Arrays.stream(clusterNodes.split(","))
				.map(String::trim)
				.filter((node) -> !node.isEmpty())
				.map((node) -> new Node(node.substring(0, node.lastIndexOf(':')),
						Integer.parseInt(node.substring(node.lastIndexOf(':') + 1))))
				.toList();
			return new DataRedisConnectionDetails() {
				@Override
				public Cluster getCluster() {
					return () -> nodes;
				}
			};
		}
		return new DataRedisConnectionDetails() {
			@Override
			public Standalone getStandalone() {
				return Standalone.of("127.0.0.1", proxy.port(), database);
			}
		};
	}

	/** Every response the shared {@code WebTestClient} receives is checked against the API document. */
	@Bean
	WebTestClientBuilderCustomizer openApiContract() {
		return (builder) -> builder.filter(new OpenApiContract());
	}

	@Bean
	static DatabaseFaults.Installer databaseFaultsInstaller() {
		return new DatabaseFaults.Installer(new DatabaseFaults());
	}

	@Bean
	DatabaseFaults databaseFaults(DatabaseFaults.Installer installer) {
		return installer.faults();
	}

	/**
	 * Matches when the startup selection chose Docker: neither the configured services answered, and a
	 * Docker engine did.
	 */
	static class DockerChosen implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return "docker".equals(context.getEnvironment().getProperty(BackendSelection.DATABASE));
		}

	}

}
