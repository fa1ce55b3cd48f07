package com.example.flashsale.support.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code ./mvnw spring-boot:run} work with or without Docker. Spring Boot's Docker Compose
 * support fails at startup when no engine answers; this turns it off when no Docker engine answers
 * or when MySQL/MariaDB and Redis already listen on localhost (the compose ports would clash with them
 * anyway). An explicit {@code spring.docker.compose.enabled} always wins.
 */
public class LocalServicesEnvironmentPostProcessor implements EnvironmentPostProcessor {

	private static final String ENABLED = "spring.docker.compose.enabled";

	private static final int CONNECT_TIMEOUT_MS = 300;

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty(ENABLED)) {
			return;
		}
		boolean localServices = listening(3306) && listening(6379);
		if (localServices || !dockerEngineAnswers(environment.getProperty("DOCKER_HOST"))) {
			environment.getPropertySources()
				.addLast(new MapPropertySource("localServices", Map.of(ENABLED, "false")));
		}
	}

	private static boolean listening(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean dockerEngineAnswers(String dockerHost) {
		if (dockerHost != null && dockerHost.startsWith("tcp://")) {
			String[] hostPort = dockerHost.substring("tcp://".length()).split(":");
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1].replaceAll("/.*", ""))),
						CONNECT_TIMEOUT_MS);
				return true;
			}
			catch (IOException | RuntimeException ex) {
				return false;
			}
		}
		Path socketPath = Path.of((dockerHost != null && dockerHost.startsWith("unix://"))
				? dockerHost.substring("unix://".length()) : "/var/run/docker.sock");
		if (!Files.exists(socketPath)) {
			return false;
		}
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			return channel.connect(UnixDomainSocketAddress.of(socketPath));
		}
		catch (IOException ex) {
			return false;
		}
	}

}
