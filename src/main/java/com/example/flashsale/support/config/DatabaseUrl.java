package com.example.flashsale.support.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address parts of an R2DBC or JDBC MySQL/MariaDB URL ({@code r2dbc:mysql://host:port/db?...},
 * {@code jdbc:mariadb://host:port/db?...}), and the same URL pointed elsewhere: how the startup
 * selection probes the configured database and moves it to an embedded one (docs/architecture.md
 * "Backends at startup").
 *
 * @param prefix everything up to the host, e.g. {@code r2dbc:mysql://} or {@code jdbc:mariadb://user@}
 * @param host the host
 * @param port the port, 3306 when the URL names none
 * @param database the database (schema) name, empty when the URL names none
 * @param rest the query string and anything after the database, kept as it is
 */
public record DatabaseUrl(String prefix, String host, int port, String database, String rest) {

	private static final Pattern URL = Pattern
		.compile("^([a-z0-9:]+://(?:[^@/?#]*@)?)(\\[[^\\]]+\\]|[^:/?#]+)(?::(\\d+))?(?:/([^?#]*))?(.*)$");

	/** The port MySQL and MariaDB listen on unless told otherwise. */
	public static final int DEFAULT_PORT = 3306;

	/**
	 * Parses a database URL.
	 * @param url an R2DBC or JDBC URL with a host
	 * @return its parts; empty for {@code null} or a URL without a host
	 */
	public static Optional<DatabaseUrl> parse(String url) {
		if (url == null) {
			return Optional.empty();
		}
		Matcher matcher = URL.matcher(url.trim());
		if (!matcher.matches()) {
			return Optional.empty();
		}
		int port = (matcher.group(3) != null) ? Integer.parseInt(matcher.group(3)) : DEFAULT_PORT;
		String database = (matcher.group(4) != null) ? matcher.group(4) : "";
		return Optional.of(new DatabaseUrl(matcher.group(1), matcher.group(2), port, database, matcher.group(5)));
	}

	/**
	 * The same URL with another host and port: database, parameters and scheme unchanged.
	 * @param newHost the host to use
	 * @param newPort the port to use
	 * @return the URL as text
	 */
	public String at(String newHost, int newPort) {
		return this.prefix + newHost + ":" + newPort + (this.database.isEmpty() ? "" : "/" + this.database) + this.rest;
	}

	/** {@code host:port/database}, as the startup summary shows it. */
	public String address() {
		return this.host + ":" + this.port + (this.database.isEmpty() ? "" : "/" + this.database);
	}

}
