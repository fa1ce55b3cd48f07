package com.example.flashsale;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server in the test JVM standing in for the data platform ({@code POST /orders}), one per
 * JVM, on a free loopback port. By default it answers 200; a test can make it answer an error status,
 * answer slowly (past the client's timeout), or fail only the first deliveries of an event. It records
 * every delivery it received by event id, duplicates included. Its handler threads are its own (never an
 * event loop), so a slow answer blocks nothing of the service.
 */
public final class DataPlatformStub {

	private static final Pattern EVENT_ID = Pattern.compile("\"eventId\"\\s*:\\s*\"([^\"]+)\"");

	private static final DataPlatformStub INSTANCE = new DataPlatformStub();

	private final HttpServer server;

	private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

	private final List<String> bodies = new CopyOnWriteArrayList<>();

	private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

	private volatile int status = 200;

	private volatile long delayMillis;

	private DataPlatformStub() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.setExecutor(Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "data-platform-stub");
			thread.setDaemon(true);
			return thread;
		}));
		this.server.createContext("/orders", this::handle);
		this.server.start();
	}

	/** The JVM's stub, started. */
	public static DataPlatformStub get() {
		return INSTANCE;
	}

	/** Its base URL, e.g. {@code http://127.0.0.1:41234}. */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** Back to answering 200 at once. Recorded deliveries are kept (tests look at their own event ids). */
	public void reset() {
		this.status = 200;
		this.delayMillis = 0;
		this.failuresLeft.clear();
	}

	/** Answers every delivery with {@code status} from now on. */
	public void answer(int status) {
		this.status = status;
	}

	/** Waits {@code millis} before answering each delivery. */
	public void delay(long millis) {
		this.delayMillis = millis;
	}

	/** Answers the next {@code times} deliveries of {@code eventId} with 500, then as configured. */
	public void failFirst(String eventId, int times) {
		this.failuresLeft.put(eventId, new AtomicInteger(times));
	}

	/** How many deliveries of {@code eventId} were received (answered or not). */
	public int deliveriesOf(String eventId) {
		AtomicInteger count = this.deliveries.get(eventId);
		return (count != null) ? count.get() : 0;
	}

	/** The most deliveries of {@code eventId} this stub was answering at the same time. */
	public int mostAtOnce(String eventId) {
		AtomicInteger most = this.mostInFlight.get(eventId);
		return (most != null) ? most.get() : 0;
	}

	/** The bodies received, in arrival order. */
	public List<String> bodies() {
		return List.copyOf(this.bodies);
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange; InputStream in = exchange.getRequestBody()) {
			String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			Matcher matcher = EVENT_ID.matcher(body);
			String eventId = matcher.find() ? matcher.group(1) : "?";
			this.deliveries.computeIfAbsent(eventId, (id) -> new AtomicInteger()).incrementAndGet();
			this.bodies.add(body);
			AtomicInteger current = this.inFlight.computeIfAbsent(eventId, (id) -> new AtomicInteger());
			int now = current.incrementAndGet();
			this.mostInFlight.computeIfAbsent(eventId, (id) -> new AtomicInteger()).accumulateAndGet(now, Math::max);
			try {
				answer(exchange, eventId);
			}
			finally {
				current.decrementAndGet();
			}
		}
	}

	private void answer(HttpExchange exchange, String eventId) throws IOException {
		long delay = this.delayMillis;
		if (delay > 0) {
			try {
				Thread.sleep(delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		AtomicInteger left = this.failuresLeft.get(eventId);
		int answer = (left != null && left.getAndDecrement() > 0) ? 500 : this.status;
		byte[] reply = ("{\"received\":" + (answer < 300) + "}").getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(answer, reply.length);
		exchange.getResponseBody().write(reply);
	}

}
