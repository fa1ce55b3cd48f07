package com.example.flashsale.support.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Startup cannot go on: nothing serves the database or Redis (docs/architecture.md "Backends at
 * startup"). Carries one sentence saying what is missing and one saying what to do, which
 * {@link BackendsFailureAnalyzer} prints instead of a stack trace.
 */
public class BackendsUnavailableException extends IllegalStateException {

	private final String action;

	/**
	 * @param description what is missing, one sentence
	 * @param action what to do instead, one sentence
	 * @param cause the underlying failure, or {@code null}
	 */
	public BackendsUnavailableException(String description, String action, Throwable cause) {
		super(description, cause);
		this.action = action;
	}

	/** What the user should do, one sentence. */
	public String action() {
		return this.action;
	}

	/**
	 * Nothing answers and nothing can be started (no Docker engine, no embedded engines: the packaged jar).
	 * @param databaseAddress the database address nobody answers at, or {@code null} when it answers
	 * @param redisAddress the Redis address nobody answers at, or {@code null} when it answers
	 * @return the exception to throw
	 */
	static BackendsUnavailableException nothingServes(String databaseAddress, String redisAddress) {
		List<String> missing = new ArrayList<>();
		if (databaseAddress != null) {
			missing.add("no MySQL/MariaDB answers at " + databaseAddress);
		}
		if (redisAddress != null) {
			missing.add("no Redis answers at " + redisAddress);
		}
		String description = capitalized(String.join(" and ", missing))
				+ ", no Docker engine answers, and this build has no embedded engines (the packaged jar never has them).";
		String action = "Start MySQL/MariaDB and Redis there (Debian: apt-get install mariadb-server redis-server), "
				+ "point DB_HOST/DB_PORT and REDIS_HOST/REDIS_PORT at running ones, start Docker, "
				+ "or run from the source tree with ./mvnw spring-boot:run, which falls back to an embedded MariaDB and Redis.";
		return new BackendsUnavailableException(description, action, null);
	}

	/**
	 * An embedded engine was needed but did not start.
	 * @param reason what failed
	 * @param directory where the engines keep their files
	 * @param cause the failure
	 * @return the exception to throw
	 */
	static BackendsUnavailableException embeddedFailed(String reason, Path directory, Throwable cause) {
		return new BackendsUnavailableException(reason,
				"Delete " + directory + " and start again, or start MySQL/MariaDB and Redis yourself "
						+ "(DB_HOST/DB_PORT, REDIS_HOST/REDIS_PORT) or Docker.",
				cause);
	}

	private static String capitalized(String text) {
		return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

}
