package com.example.flashsale;

import java.util.Arrays;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A second application instance for a two-instance test: the same application with the test profile, its
 * own server (random port), jobs and pub/sub subscriptions, and the first instance's database and Redis
 * connections. The caller closes it (in {@code @AfterAll}).
 */
public final class SecondInstance {

	private SecondInstance() {
	}

	/**
	 * Starts it next to {@code first}.
	 * @param properties extra settings ({@code name=value}), passed as command-line arguments: those rank
	 * above the test profile, which default properties would not
	 */
	public static ConfigurableApplicationContext start(ApplicationContext first, String... properties) {
		R2dbcConnectionDetails database = first.getBean(R2dbcConnectionDetails.class);
		DataRedisConnectionDetails redis = first.getBean(DataRedisConnectionDetails.class);
		return new SpringApplicationBuilder(FlashSaleApplication.class).profiles("test")
			.properties("server.port=0", "spring.flyway.enabled=false", "spring.docker.compose.enabled=false",
					"app.data-platform.base-url=" + DataPlatformStub.get().baseUrl())
			.initializers((context) -> {
				context.getBeanFactory().registerSingleton("firstInstanceDatabase", database);
				context.getBeanFactory().registerSingleton("firstInstanceRedis", redis);
			})
			.run(Arrays.stream(properties).map((property) -> "--" + property).toArray(String[]::new));
	}

	/** The base URL of a started instance's server, {@code http://127.0.0.1:<port>}. */
	public static String baseUrl(ApplicationContext instance) {
		return "http://127.0.0.1:" + instance.getBean(Environment.class).getProperty("local.server.port");
	}

}
