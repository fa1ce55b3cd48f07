import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stub of the data platform for local runs without Docker (with Docker, compose.yaml runs WireMock with
 * the mapping in src/main/docker/data-platform/mappings instead); CI and kill9-relay.sh use it too.
 * Receives the outbox relay's {@code POST /orders}, answers 200, and prints one line per event, marking redeliveries of an event id it has already seen (the relay delivers
 * at least once; the event id makes duplicates harmless). Loopback only. Start it with the JDK alone:
 *
 * <pre>
 * java load-tests/data-platform/DataPlatformStub.java [--port 8089] [--fail-percent 0] [--delay-ms 0]
 * </pre>
 *
 * {@code --fail-percent} answers that share of deliveries with 500 and {@code --delay-ms} answers each
 * one late, to watch the relay's retries, backoff and circuit breaker.
 */
public class DataPlatformStub {

	private static final Pattern FIELD = Pattern.compile("\"(eventId|eventType|orderId)\"\\s*:\\s*\"?([^\",}]+)");

	public static void main(String[] args) throws IOException {
		int port = 8089;
		int failPercent = 0;
		long delayMillis = 0;
		for (int i = 0; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--port" -> port = Integer.parseInt(args[i + 1]);
				case "--fail-percent" -> failPercent = Integer.parseInt(args[i + 1]);
				case "--delay-ms" -> delayMillis = Long.parseLong(args[i + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		Set<String> seen = ConcurrentHashMap.newKeySet();
		int fail = failPercent;
		long delay = delayMillis;
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
		server.setExecutor(Executors.newFixedThreadPool(16));
		server.createContext("/orders", (exchange) -> handle(exchange, seen, fail, delay));
		server.start();
		System.out.println("Data platform stub on http://127.0.0.1:" + port + "/orders (fail " + fail + " %, delay "
				+ delay + " ms); Ctrl-C stops it");
	}

	private static void handle(HttpExchange exchange, Set<String> seen, int failPercent, long delayMillis) throws IOException {
		try (exchange; InputStream in = exchange.getRequestBody()) {
			String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			if (!"POST".equals(exchange.getRequestMethod())) {
				exchange.sendResponseHeaders(405, -1);
				return;
			}
			if (delayMillis > 0) {
				try {
					Thread.sleep(delayMillis);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			StringBuilder line = new StringBuilder(Instant.now().toString());
			Matcher matcher = FIELD.matcher(body);
			String eventId = "?";
			Set<String> printed = new java.util.HashSet<>();
			while (matcher.find()) {
				if (!printed.add(matcher.group(1))) {
					continue;
				}
				line.append(' ').append(matcher.group(1)).append('=').append(matcher.group(2));
				if ("eventId".equals(matcher.group(1))) {
					eventId = matcher.group(2);
				}
			}
			boolean failed = ThreadLocalRandom.current().nextInt(100) < failPercent;
			if (failed) {
				line.append(" -> 500 (injected)");
			}
			else if (!seen.add(eventId)) {
				line.append(" -> 200 (duplicate, ignored)");
			}
			else {
				line.append(" -> 200");
			}
			System.out.println(line);
			byte[] reply = ("{\"received\":" + !failed + "}").getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(failed ? 500 : 200, reply.length);
			exchange.getResponseBody().write(reply);
		}
	}

}
