package com.example.flashsale;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import redis.embedded.core.ExecutableProvider;

/**
 * A redis-server process of a test's own, on a free loopback port, that the test can stop, start again
 * (empty: no persistence) and freeze ({@code kill -STOP}: its connections stay open, nothing answers).
 * The binary is {@code redis-server} from the PATH, else the one embedded-redis ships.
 */
public final class RedisProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private final int port;

	private final Path directory;

	private volatile Process process;

	private RedisProcess(int port, Path directory) {
		this.port = port;
		this.directory = directory;
	}

	/** Starts redis-server on a free port. */
	public static RedisProcess start() {
		try {
			RedisProcess redis = new RedisProcess(freePort(), Files.createTempDirectory("redis-process"));
			redis.startAgain();
			return redis;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The port it listens on (the same after every restart). */
	public int port() {
		return this.port;
	}

	/** Stops the process (SIGKILL: connections are reset, nothing is saved) and waits until it is gone. */
	public synchronized void stop() {
		resume();
		crash();
	}

	/**
	 * Kills the process as it is (SIGKILL, not resumed first if frozen): what it was sent and had not answered
	 * is cut off with the reset connections, unanswered. Waits until it is gone.
	 */
	public synchronized void crash() {
		Process current = this.process;
		if (current != null) {
			current.destroyForcibly();
			try {
				current.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	/** Starts a fresh, empty redis-server on the same port and waits until it accepts connections. */
	public synchronized void startAgain() {
		try {
			this.process = new ProcessBuilder(binary(), "--port", Integer.toString(this.port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no", "--dir", this.directory.toString())
				.redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("redis.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (!answers()) {
			if (System.nanoTime() > deadline || !this.process.isAlive()) {
				throw new IllegalStateException("redis-server did not start on port " + this.port);
			}
			sleep(20);
		}
	}

	/** Whether the process runs (frozen or not). */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/** Freezes the process (SIGSTOP): connections stay open, no command is answered. */
	public void freeze() {
		signal("-STOP");
	}

	/** Resumes a frozen process (SIGCONT); it then answers everything it was sent meanwhile. */
	public void resume() {
		signal("-CONT");
	}

	@Override
	public void close() {
		stop();
	}

	private void signal(String signal) {
		Process current = this.process;
		if (current == null || !current.isAlive()) {
			return;
		}
		try {
			Process kill = new ProcessBuilder(List.of("kill", signal, Long.toString(current.pid()))).start();
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill " + signal + " " + current.pid() + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private boolean answers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
			socket.setSoTimeout(200);
			socket.getOutputStream().write("PING\r\n".getBytes());
			return socket.getInputStream().read() == '+';
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String binary() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		try {
			return ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
