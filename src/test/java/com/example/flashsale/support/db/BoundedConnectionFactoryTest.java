package com.example.flashsale.support.db;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Giving a connection back to the pool runs to its end, but the caller waits for it at most the bound
 * (docs/operations.md "Timeouts"): a release that stalls in the driver must not hold a request for ever.
 */
class BoundedConnectionFactoryTest {

	private static final Duration BOUND = Duration.ofMillis(200);

	@Test
	void aStalledReleaseHoldsTheCallerForTheBoundOnlyAndIsNeitherCancelledNorLeftBehind() {
		Sinks.Empty<Void> release = Sinks.empty();
		AtomicBoolean cancelled = new AtomicBoolean();
		AtomicBoolean finished = new AtomicBoolean();
		Connection connection = connection(release.asMono()
			.doOnCancel(() -> cancelled.set(true))
			.doOnSuccess((ignored) -> finished.set(true)));
		BoundedConnectionFactory factory = new BoundedConnectionFactory(factory(connection), BOUND);

		StepVerifier.create(Mono.from(factory.create()).flatMap((bounded) -> Mono.from(bounded.close())))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		assertThat(cancelled).as("the pool's release cancelled").isFalse();
		assertThat(finished).isFalse();

		release.tryEmitEmpty();
		assertThat(finished).as("the release ran to its end after the caller went on").isTrue();
	}

	@Test
	void aPromptReleaseIsWaitedFor() {
		AtomicBoolean finished = new AtomicBoolean();
		Connection connection = connection(Mono.<Void>empty().doOnSuccess((ignored) -> finished.set(true)));
		BoundedConnectionFactory factory = new BoundedConnectionFactory(factory(connection), Duration.ofSeconds(30));

		StepVerifier.create(Mono.from(factory.create()).flatMap((bounded) -> Mono.from(bounded.close())))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		assertThat(finished).isTrue();
	}

	/** A connection whose close() is {@code release}; nothing else of it is used. */
	private static Connection connection(Mono<Void> release) {
		return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "close" -> release;
					case "toString" -> "test connection";
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

	private static ConnectionFactory factory(Connection connection) {
		return (ConnectionFactory) Proxy.newProxyInstance(ConnectionFactory.class.getClassLoader(),
				new Class<?>[] { ConnectionFactory.class }, (proxy, method, args) -> switch (method.getName()) {
					case "create" -> Mono.just(connection);
					case "toString" -> "test connection factory";
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

}
