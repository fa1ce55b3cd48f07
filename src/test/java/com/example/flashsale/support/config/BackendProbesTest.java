package com.example.flashsale.support.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The startup probes read real answers and treat silence, refusal and strangers as "nothing answers". */
class BackendProbesTest {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	@Test
	void readsTheServerVersionFromAMysqlHandshake() throws Exception {
		byte[] version = "10.11.19-MariaDB-0+deb12u1".getBytes(StandardCharsets.US_ASCII);
		byte[] payload = new byte[version.length + 2];
		payload[0] = 10;
		System.arraycopy(version, 0, payload, 1, version.length);
		byte[] packet = new byte[payload.length + 4];
		packet[0] = (byte) payload.length;
		System.arraycopy(payload, 0, packet, 4, payload.length);
		try (OneAnswerServer server = new OneAnswerServer(packet)) {
			assertThat(BackendProbes.mysqlServer("127.0.0.1", server.port(), TIMEOUT)).contains("MariaDB 10.11.19");
		}
	}

	@Test
	void namesMysqlAndMariadbVersions() {
		assertThat(BackendProbes.serverName("8.4.3")).isEqualTo("MySQL 8.4.3");
		assertThat(BackendProbes.serverName("5.5.5-10.4.3-MariaDB-log")).isEqualTo("MariaDB 10.4.3");
		assertThat(BackendProbes.serverName("11.4.5-MariaDB")).isEqualTo("MariaDB 11.4.5");
	}

	@Test
	void readsTheRedisVersion() throws Exception {
		String info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";
		byte[] answer = ("$" + info.length() + "\r\n" + info + "\r\n").getBytes(StandardCharsets.US_ASCII);
		try (OneAnswerServer server = new OneAnswerServer(answer)) {
			assertThat(BackendProbes.redisServer("127.0.0.1", server.port(), TIMEOUT)).contains("Redis 7.0.15");
		}
	}

	@Test
	void aClosedPortOrAStrangerIsNothing() throws Exception {
		int closed;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closed = socket.getLocalPort();
		}
		assertThat(BackendProbes.mysqlServer("127.0.0.1", closed, TIMEOUT)).isEmpty();
		assertThat(BackendProbes.redisServer("127.0.0.1", closed, TIMEOUT)).isEmpty();
		assertThat(BackendProbes.listening("127.0.0.1", closed, TIMEOUT)).isFalse();
		try (OneAnswerServer http = new OneAnswerServer("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) {
			assertThat(BackendProbes.mysqlServer("127.0.0.1", http.port(), TIMEOUT)).isEmpty();
		}
	}

	@Test
	void aSilentServerIsNothingWithinTheTimeout() throws Exception {
		try (OneAnswerServer silent = new OneAnswerServer(null)) {
			long started = System.nanoTime();
			assertThat(BackendProbes.mysqlServer("127.0.0.1", silent.port(), TIMEOUT)).isEqualTo(Optional.empty());
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
		}
	}

	@Test
	void dockerIsAskedWhereDockerHostSaysOrAtTheUsualSockets() {
		assertThat(BackendProbes.dockerHosts(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375"))).containsExactly("tcp://127.0.0.1:2375");
		assertThat(BackendProbes.dockerHosts(Map.of("HOME", "/nonexistent-home"))).contains("unix:///var/run/docker.sock");
		// a port nobody listens on is no engine
		assertThat(BackendProbes.dockerEngineAnswers(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), TIMEOUT)).isFalse();
	}

	/** A loopback server that accepts one connection and writes {@code answer} (nothing when null). */
	private static final class OneAnswerServer implements AutoCloseable {

		private final ServerSocket socket;

		private final Thread thread;

		OneAnswerServer(byte[] answer) throws IOException {
			this.socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
			this.thread = new Thread(() -> {
				try (Socket client = this.socket.accept()) {
					if (answer != null) {
						client.getOutputStream().write(answer);
						client.getOutputStream().flush();
					}
					Thread.sleep(1_000);
				}
				catch (IOException | InterruptedException ex) {
					// closed
				}
			});
			this.thread.setDaemon(true);
			this.thread.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			this.thread.interrupt();
		}

	}

}
