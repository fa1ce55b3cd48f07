package com.example.flashsale.support.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Cheap, bounded checks of what answers on this machine, run on the main thread at startup before the
 * context needs a connection (docs/architecture.md "Backends at startup"). Each check opens one TCP or
 * Unix socket with a timeout, reads the server's first words and closes; none throws. Never called on
 * an event loop.
 */
public final class BackendProbes {

	private BackendProbes() {
	}

	/**
	 * The server version a MySQL/MariaDB server announces in its handshake, e.g.
	 * {@code MariaDB 10.11.19} or {@code MySQL 8.4.3}.
	 * @param host the host to connect to
	 * @param port the TCP port
	 * @param timeout bound of the connect and of the read
	 * @return the server's name and version; empty when nothing answers there or the answer is not a
	 * MySQL handshake
	 */
	public static Optional<String> mysqlServer(String host, int port, Duration timeout) {
		try (Socket socket = connect(host, port, timeout)) {
			InputStream in = socket.getInputStream();
			byte[] header = in.readNBytes(4);
			if (header.length < 4) {
				return Optional.empty();
			}
			int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
			byte[] payload = in.readNBytes(Math.min(length, 512));
			if (payload.length < 2) {
				return Optional.empty();
			}
			if ((payload[0] & 0xff) == 0xff) {
				// an error packet, e.g. "Host '...' is not allowed to connect": a server that refuses us
				return Optional.of("MySQL/MariaDB (refusing this host)");
			}
			if (payload[0] != 10) {
				return Optional.empty();
			}
			int end = 1;
			while (end < payload.length && payload[end] != 0) {
				end++;
			}
			return Optional.of(serverName(new String(payload, 1, end - 1, StandardCharsets.US_ASCII)));
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
	}

	/**
	 * A readable name of a MySQL handshake version: {@code 10.11.19-MariaDB-0+deb12u1} is
	 * {@code MariaDB 10.11.19}, {@code 5.5.5-10.4.3-MariaDB} is {@code MariaDB 10.4.3}, {@code 8.4.3} is
	 * {@code MySQL 8.4.3}.
	 * @param version the version string of the handshake
	 * @return product and version number
	 */
	static String serverName(String version) {
		String plain = version.startsWith("5.5.5-") ? version.substring("5.5.5-".length()) : version;
		String number = plain.split("[-+ ]", 2)[0];
		return (version.contains("MariaDB") ? "MariaDB " : "MySQL ") + number;
	}

	/**
	 * The version a Redis server reports, e.g. {@code Redis 7.0.15}.
	 * @param host the host to connect to
	 * @param port the TCP port
	 * @param timeout bound of the connect and of the read
	 * @return {@code Redis <version>}, or {@code Redis} when it answers but asks for a password; empty when
	 * nothing answers there or the answer is not Redis
	 */
	public static Optional<String> redisServer(String host, int port, Duration timeout) {
		try (Socket socket = connect(host, port, timeout)) {
			socket.getOutputStream().write("INFO server\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] answer = readSome(socket.getInputStream(), 4096);
			String text = new String(answer, StandardCharsets.US_ASCII);
			if (text.startsWith("-")) {
				return Optional.of("Redis");
			}
			if (!text.startsWith("$")) {
				return Optional.empty();
			}
			int at = text.indexOf("redis_version:");
			if (at < 0) {
				return Optional.of("Redis");
			}
			int end = text.indexOf('\r', at);
			return Optional.of("Redis " + text.substring(at + "redis_version:".length(), (end < 0) ? text.length() : end));
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Whether something accepts TCP connections at {@code host:port}, e.g. the data platform stub.
	 * @param host the host
	 * @param port the TCP port
	 * @param timeout bound of the connect
	 * @return whether a connection was accepted
	 */
	public static boolean listening(String host, int port, Duration timeout) {
		try (Socket socket = connect(host, port, timeout)) {
			return true;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Whether a Docker engine answers {@code GET /_ping} with 200: at {@code DOCKER_HOST} when set
	 * ({@code unix://} or {@code tcp://}), at Testcontainers' {@code docker.host} in
	 * {@code ~/.testcontainers.properties}, otherwise at the usual sockets (/var/run/docker.sock, Docker
	 * Desktop's, rootless Docker's, Colima's, Rancher Desktop's).
	 * @param environment the process environment ({@code DOCKER_HOST}, {@code HOME}, {@code XDG_RUNTIME_DIR})
	 * @param timeout bound of each connect and read
	 * @return whether an engine answered
	 */
	public static boolean dockerEngineAnswers(Map<String, String> environment, Duration timeout) {
		for (String candidate : dockerHosts(environment)) {
			if (dockerPing(candidate, timeout)) {
				return true;
			}
		}
		return false;
	}

	/** Where a Docker engine may listen, most specific first. */
	static List<String> dockerHosts(Map<String, String> environment) {
		String configured = environment.get("DOCKER_HOST");
		if (configured != null && !configured.isBlank()) {
			return List.of(configured.trim());
		}
		List<String> hosts = new ArrayList<>();
		String home = environment.getOrDefault("HOME", System.getProperty("user.home", ""));
		testcontainersDockerHost(Path.of(home, ".testcontainers.properties")).ifPresent(hosts::add);
		hosts.add("unix:///var/run/docker.sock");
		hosts.add("unix://" + home + "/.docker/run/docker.sock");
		hosts.add("unix://" + home + "/.docker/desktop/docker.sock");
		String runtime = environment.get("XDG_RUNTIME_DIR");
		if (runtime != null && !runtime.isBlank()) {
			hosts.add("unix://" + runtime + "/docker.sock");
		}
		hosts.add("unix://" + home + "/.colima/default/docker.sock");
		hosts.add("unix://" + home + "/.rd/docker.sock");
		return hosts;
	}

	private static Optional<String> testcontainersDockerHost(Path file) {
		if (!Files.isReadable(file)) {
			return Optional.empty();
		}
		try (InputStream in = Files.newInputStream(file)) {
			Properties properties = new Properties();
			properties.load(in);
			return Optional.ofNullable(properties.getProperty("docker.host"));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private static boolean dockerPing(String dockerHost, Duration timeout) {
		byte[] ping = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		try {
			if (dockerHost.startsWith("unix://")) {
				Path socket = Path.of(dockerHost.substring("unix://".length()));
				return Files.exists(socket) && httpOk(unixExchange(socket, ping, timeout));
			}
			if (dockerHost.startsWith("tcp://")) {
				URI uri = URI.create(dockerHost);
				try (Socket socket = connect(uri.getHost(), (uri.getPort() > 0) ? uri.getPort() : 2375, timeout)) {
					socket.getOutputStream().write(ping);
					return httpOk(readSome(socket.getInputStream(), 64));
				}
			}
			return false;
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	private static boolean httpOk(byte[] answer) {
		String status = new String(answer, StandardCharsets.US_ASCII);
		return status.startsWith("HTTP/1.") && status.length() >= 12 && status.startsWith("200", 9);
	}

	/** Writes {@code request} to a Unix socket and reads the first bytes of the answer, within {@code timeout}. */
	private static byte[] unixExchange(Path path, byte[] request, Duration timeout) throws IOException {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
			channel.connect(UnixDomainSocketAddress.of(path));
			channel.write(ByteBuffer.wrap(request));
			channel.configureBlocking(false);
			channel.register(selector, SelectionKey.OP_READ);
			ByteBuffer buffer = ByteBuffer.allocate(64);
			long deadline = System.nanoTime() + timeout.toNanos();
			while (buffer.position() < 12) {
				long left = (deadline - System.nanoTime()) / 1_000_000;
				if (left <= 0 || selector.select(left) == 0) {
					break;
				}
				selector.selectedKeys().clear();
				if (channel.read(buffer) < 0) {
					break;
				}
			}
			byte[] answer = new byte[buffer.position()];
			buffer.flip().get(answer);
			return answer;
		}
	}

	private static Socket connect(String host, int port, Duration timeout) throws IOException {
		Socket socket = new Socket();
		try {
			int millis = (int) Math.max(1, timeout.toMillis());
			socket.connect(new InetSocketAddress(host, port), millis);
			socket.setSoTimeout(millis);
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	private static byte[] readSome(InputStream in, int max) throws IOException {
		byte[] buffer = new byte[max];
		int read = in.read(buffer);
		if (read <= 0) {
			return new byte[0];
		}
		// INFO answers in more than one segment now and then: take what follows at once
		int total = read;
		while (total < max && in.available() > 0) {
			int more = in.read(buffer, total, max - total);
			if (more <= 0) {
				break;
			}
			total += more;
		}
		return java.util.Arrays.copyOf(buffer, total);
	}

}
