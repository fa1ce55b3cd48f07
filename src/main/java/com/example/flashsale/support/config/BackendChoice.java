package com.example.flashsale.support.config;

/**
 * Which backend serves the database and which serves Redis, decided once at startup from what answers
 * (docs/architecture.md "Backends at startup"). The order is fixed: the configured or local services
 * when both answer, otherwise Docker (Compose for {@code spring-boot:run}, Testcontainers in the tests)
 * when an engine answers, otherwise an embedded engine for each service that does not answer. A pure
 * function of its inputs, so the rule is unit-tested without a network.
 *
 * @param database what serves the database
 * @param redis what serves Redis
 */
public record BackendChoice(Kind database, Kind redis) {

	/** What serves one backend. */
	public enum Kind {

		/** The configured host and port (by default 127.0.0.1:3306 and :6379) answered. */
		LOCAL,
		/** A Docker engine answered: Compose (run) or Testcontainers (tests) provide the service. */
		DOCKER,
		/** Nothing answered; an embedded engine started in this JVM's process tree serves it. */
		EMBEDDED,
		/** Nothing answered and nothing can be started: the service cannot run. */
		NONE;

		/** The lower-case name used in properties and in the startup summary, e.g. {@code embedded}. */
		public String label() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * Decides what serves each backend.
	 * @param databaseAnswers whether a MySQL/MariaDB server answered at the configured address
	 * @param redisAnswers whether a Redis server answered at the configured address
	 * @param dockerAnswers whether a Docker engine answered (and Docker is not switched off)
	 * @param embeddedAvailable whether the embedded engines are on the class path (development and
	 * tests only; never in the packaged jar)
	 * @return the choice; {@link Kind#NONE} for a backend nothing can serve
	 */
	public static BackendChoice decide(boolean databaseAnswers, boolean redisAnswers, boolean dockerAnswers,
			boolean embeddedAvailable) {
		if (databaseAnswers && redisAnswers) {
			return new BackendChoice(Kind.LOCAL, Kind.LOCAL);
		}
		if (dockerAnswers) {
			// Compose and the test containers provide both services at once
			return new BackendChoice(Kind.DOCKER, Kind.DOCKER);
		}
		return new BackendChoice(fallback(databaseAnswers, embeddedAvailable), fallback(redisAnswers, embeddedAvailable));
	}

	private static Kind fallback(boolean answers, boolean embeddedAvailable) {
		if (answers) {
			return Kind.LOCAL;
		}
		return embeddedAvailable ? Kind.EMBEDDED : Kind.NONE;
	}

	/** Whether Docker provides the services. */
	public boolean docker() {
		return this.database == Kind.DOCKER || this.redis == Kind.DOCKER;
	}

	/** Whether an embedded engine has to be started for at least one backend. */
	public boolean anyEmbedded() {
		return this.database == Kind.EMBEDDED || this.redis == Kind.EMBEDDED;
	}

	/** Whether a backend can be served by nothing. */
	public boolean anyUnserved() {
		return this.database == Kind.NONE || this.redis == Kind.NONE;
	}

}
