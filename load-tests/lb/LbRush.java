import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client of {@code load-tests/lb/rolling-restart.sh}: a paced coupon rush, order rush and order-status
 * streams through the load balancer, every request's outcome counted, until a stop file appears (or a
 * time bound). JDK alone, Java 21+ (virtual threads): {@code java LbRush.java key=value ...}.
 *
 * <ul>
 * <li>Coupon rush: each request is a new user (ids from {@code couponUserStart}); users
 * {@code n*usersPerCoupon .. (n+1)*usersPerCoupon-1} ask for coupon event n, which this client creates
 * through the admin API when first needed (quantity {@code couponQuantity}, fewer than the users, so each
 * event sells out). A 503 is retried after its {@code Retry-After}, as a client would.</li>
 * <li>Order rush: {@code buyers} (user ids, charged beforehand) order one unit of {@code productId} each
 * time, each order with a new {@code Idempotency-Key}; a 503 is replayed with the same key after its
 * {@code Retry-After}; a 202 PENDING is counted (recovery settles it).</li>
 * <li>Streams: some paid orders are followed on {@code GET /api/orders/{id}/events} as a browser's
 * EventSource would: reconnecting with {@code Last-Event-ID} whenever a stream ends, until a 204 says there
 * is nothing more. Each must have seen PAID.</li>
 * </ul>
 * Writes {@code out} (key=value lines, then one line per coupon event {@code coupon <id> <requests>
 * <201s> <409s> <410s>}, then one line per paid order {@code paid <orderId> <userId> <paidAmount>}).
 * A transport error (refused, reset, timeout) is a client error: the balancer must hide restarts.
 */
public class LbRush {

	static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_]+)\"");

	static final Pattern ID = Pattern.compile("\"(?:id|orderId)\"\\s*:\\s*(\\d+)");

	static final Pattern PAID_AMOUNT = Pattern.compile("\"paidAmount\"\\s*:\\s*(\\d+)");

	static Map<String, String> args = new TreeMap<>();

	static String base;

	static byte[] secret;

	static HttpClient http;

	static final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

	static final List<String> errorSamples = new CopyOnWriteArrayList<>();

	static final AtomicBoolean stop = new AtomicBoolean();

	static void count(String key) {
		outcomes.computeIfAbsent(key, (k) -> new LongAdder()).increment();
	}

	static void error(String what, Throwable ex) {
		count("client-error " + what);
		if (errorSamples.size() < 20) {
			errorSamples.add(Instant.now() + " " + what + ": " + ex);
		}
	}

	static String arg(String key, String fallback) {
		return args.getOrDefault(key, fallback);
	}

	static String b64(byte[] raw) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
	}

	static String token(long userId, boolean admin) {
		try {
			String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
			long exp = Instant.now().getEpochSecond() + 7200;
			String claims = "{\"sub\":\"" + userId + "\",\"exp\":" + exp + ",\"roles\":[" + (admin ? "\"ADMIN\"" : "") + "]}";
			String input = header + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	record Answer(int status, String body, String retryAfter) {

		String code() {
			Matcher m = CODE.matcher(this.body);
			return m.find() ? m.group(1) : "";
		}

	}

	/** One request; 5xx are tallied here (a 503 without Retry-After, or any other 5xx, is a breach). */
	static Answer send(String what, String method, String path, String bearer, String body, String idempotencyKey)
			throws IOException, InterruptedException {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + bearer)
			.header("Accept", "application/json");
		if (idempotencyKey != null) {
			b.header("Idempotency-Key", idempotencyKey);
		}
		b.method(method, (body == null) ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			b.header("Content-Type", "application/json");
		}
		HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
		Answer a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
		if (a.status >= 500) {
			if (a.status == 503 && a.retryAfter != null) {
				count(what + " 503-retry-after " + a.code());
			}
			else {
				count("breach " + what + " " + a.status + " " + a.code() + (a.status == 503 ? " (no Retry-After)" : ""));
				if (errorSamples.size() < 20) {
					errorSamples.add(Instant.now() + " " + what + " " + a.status + " " + a.body);
				}
			}
		}
		return a;
	}

	/** Sends until the answer is not a 503 with Retry-After (waiting it out each time), at most 20 times. */
	static Answer sendRetrying(String what, String method, String path, String bearer, String body, String key)
			throws IOException, InterruptedException {
		Answer a = null;
		for (int attempt = 0; attempt < 20; attempt++) {
			a = send(what, method, path, bearer, body, key);
			if (a.status != 503 || a.retryAfter == null) {
				return a;
			}
			Thread.sleep(Math.min(5_000, Math.max(100, Long.parseLong(a.retryAfter.trim()) * 1000 / 4)));
		}
		return a;
	}

	/** Sleeps so that a worker doing {@code perSecond} requests a second keeps that pace. */
	static void pace(long startedNanos, long done, double perSecond) throws InterruptedException {
		long due = startedNanos + (long) (done * 1e9 / perSecond);
		long wait = due - System.nanoTime();
		if (wait > 0) {
			TimeUnit.NANOSECONDS.sleep(wait);
		}
	}

	// ---- coupons

	static final Map<Integer, Long> coupons = new ConcurrentHashMap<>();

	static final Map<Integer, long[]> couponTally = new ConcurrentHashMap<>();

	static final AtomicLong couponSeq = new AtomicLong();

	static String adminToken;

	static long coupon(int index, int quantity) {
		return coupons.computeIfAbsent(index, (i) -> {
			Instant now = Instant.now();
			String body = "{\"code\":\"LB-" + UUID.randomUUID().toString().substring(0, 12) + "\",\"name\":\"lb rush " + i
					+ "\",\"discountAmount\":100,\"totalQuantity\":" + quantity + ",\"startsAt\":\"" + now.minusSeconds(60)
					+ "\",\"endsAt\":\"" + now.plusSeconds(7200) + "\",\"validDays\":7}";
			try {
				Answer a = sendRetrying("admin", "POST", "/api/admin/coupons", adminToken, body, null);
				if (a.status != 201) {
					throw new IllegalStateException("creating a coupon event answered " + a.status + " " + a.body);
				}
				Matcher m = ID.matcher(a.body);
				m.find();
				return Long.parseLong(m.group(1));
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	static void couponWorker(double perSecond, long userStart, int usersPerCoupon, int quantity) {
		long started = System.nanoTime();
		long done = 0;
		while (!stop.get()) {
			long n = couponSeq.getAndIncrement();
			int index = (int) (n / usersPerCoupon);
			long userId = userStart + n;
			long couponId;
			try {
				couponId = coupon(index, quantity);
			}
			catch (RuntimeException ex) {
				error("coupon-create", ex);
				// this user's request is never sent: do not count it against the event
				couponTally.computeIfAbsent(index, (i) -> new long[5]);
				synchronized (couponTally.get(index)) {
					couponTally.get(index)[4]++;
				}
				try {
					pace(started, ++done, perSecond);
				}
				catch (InterruptedException ie) {
					return;
				}
				continue;
			}
			long[] tally = couponTally.computeIfAbsent(index, (i) -> new long[5]);
			try {
				Answer a = sendRetrying("coupon", "POST", "/api/coupons/" + couponId + "/issue", token(userId, false), null, null);
				count("coupon " + a.status + " " + (a.status == 201 ? "" : a.code()));
				synchronized (tally) {
					tally[0]++;
					if (a.status == 201) {
						tally[1]++;
					}
					else if (a.status == 409) {
						tally[2]++;
					}
					else if (a.status == 410) {
						tally[3]++;
					}
				}
			}
			catch (IOException ex) {
				error("coupon", ex);
				synchronized (tally) {
					tally[4]++;
				}
			}
			catch (InterruptedException ex) {
				return;
			}
			try {
				pace(started, ++done, perSecond);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	// ---- orders and streams

	record Paid(long orderId, long userId, long amount) {
	}

	static final List<Paid> paid = new CopyOnWriteArrayList<>();

	static final BlockingQueue<Paid> toFollow = new ArrayBlockingQueue<>(1000);

	static void orderWorker(double perSecond, List<Long> buyers, long productId, int followEvery) {
		long started = System.nanoTime();
		long done = 0;
		int next = 0;
		String body = "{\"items\":[{\"productId\":" + productId + ",\"quantity\":1}]}";
		while (!stop.get()) {
			long userId = buyers.get(next++ % buyers.size());
			String key = UUID.randomUUID().toString();
			try {
				Answer a = sendRetrying("order", "POST", "/api/orders", token(userId, false), body, key);
				count("order " + a.status + " " + (a.status == 201 || a.status == 202 ? "" : a.code()));
				if (a.status == 201) {
					Matcher id = ID.matcher(a.body);
					Matcher amount = PAID_AMOUNT.matcher(a.body);
					if (id.find() && amount.find()) {
						Paid p = new Paid(Long.parseLong(id.group(1)), userId, Long.parseLong(amount.group(1)));
						paid.add(p);
						if (paid.size() % followEvery == 0) {
							toFollow.offer(p);
						}
					}
					else {
						count("breach order 201 without orderId/paidAmount");
					}
				}
			}
			catch (IOException ex) {
				error("order", ex);
			}
			catch (InterruptedException ex) {
				return;
			}
			try {
				pace(started, ++done, perSecond);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	/** Follows one order's status stream as an EventSource would, until a 204; counts what it saw. */
	static void follow(Paid order) {
		String lastId = null;
		boolean sawPaid = false;
		int connections = 0;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
		while (System.nanoTime() < deadline) {
			connections++;
			HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/orders/" + order.orderId() + "/events"))
				.timeout(Duration.ofSeconds(90))
				.header("Authorization", "Bearer " + token(order.userId(), false))
				.header("Accept", "text/event-stream")
				.GET();
			if (lastId != null) {
				b.header("Last-Event-ID", lastId);
			}
			try {
				HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
				if (r.statusCode() == 204) {
					r.body().close();
					count(sawPaid ? "stream ended 204, saw PAID" : "breach stream ended 204 without PAID");
					count("stream connections " + Math.min(connections, 4) + (connections >= 4 ? "+" : ""));
					return;
				}
				if (r.statusCode() != 200) {
					String text = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
					String retryAfter = r.headers().firstValue("Retry-After").orElse(null);
					if (r.statusCode() == 503 && retryAfter != null) {
						count("stream 503-retry-after");
						Thread.sleep(250);
						continue;
					}
					count("breach stream " + r.statusCode() + " " + new Answer(r.statusCode(), text, retryAfter).code());
					return;
				}
				try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
					String line;
					while ((line = in.readLine()) != null) {
						if (line.startsWith("id:")) {
							lastId = line.substring(3).trim();
						}
						else if (line.startsWith("data:") && line.contains("\"PAID\"")) {
							sawPaid = true;
						}
					}
				}
				// the stream ended (its order has nothing more for now, or its instance is stopping): reconnect
				Thread.sleep(100);
			}
			catch (IOException ex) {
				error("stream", ex);
				return;
			}
			catch (InterruptedException ex) {
				return;
			}
		}
		count("breach stream not finished in 120 s");
	}

	public static void main(String[] argv) throws Exception {
		for (String a : argv) {
			int eq = a.indexOf('=');
			args.put(a.substring(0, eq), a.substring(eq + 1));
		}
		base = arg("base", "http://127.0.0.1:19680");
		secret = arg("secret", "local-dev-secret-change-me-0123456789abcdef").getBytes(StandardCharsets.UTF_8);
		Path stopFile = Path.of(arg("stopFile", "/tmp/lb-rush.stop"));
		long maxSeconds = Long.parseLong(arg("maxSeconds", "600"));
		int couponWorkers = Integer.parseInt(arg("couponWorkers", "8"));
		double couponRate = Double.parseDouble(arg("couponRate", "100"));
		int usersPerCoupon = Integer.parseInt(arg("usersPerCoupon", "80"));
		int couponQuantity = Integer.parseInt(arg("couponQuantity", "50"));
		long couponUserStart = Long.parseLong(arg("couponUserStart", "50000000"));
		int orderWorkers = Integer.parseInt(arg("orderWorkers", "8"));
		double orderRate = Double.parseDouble(arg("orderRate", "40"));
		long productId = Long.parseLong(arg("productId", "0"));
		List<Long> buyers = new ArrayList<>();
		for (String line : Files.readAllLines(Path.of(arg("buyers", "buyers.txt")))) {
			if (!line.isBlank()) {
				buyers.add(Long.parseLong(line.trim()));
			}
		}
		int streamWorkers = Integer.parseInt(arg("streamWorkers", "4"));
		int followEvery = Integer.parseInt(arg("followEvery", "10"));
		Path out = Path.of(arg("out", "rush.txt"));

		http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.executor(Executors.newVirtualThreadPerTaskExecutor())
			.build();
		adminToken = token(1, true);

		ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
		List<java.util.concurrent.Future<?>> loads = new ArrayList<>();
		for (int i = 0; i < couponWorkers; i++) {
			loads.add(workers.submit(() -> couponWorker(couponRate / couponWorkers, couponUserStart, usersPerCoupon, couponQuantity)));
		}
		for (int i = 0; i < orderWorkers; i++) {
			List<Long> mine = new ArrayList<>();
			for (int j = i; j < buyers.size(); j += orderWorkers) {
				mine.add(buyers.get(j));
			}
			if (!mine.isEmpty()) {
				loads.add(workers.submit(() -> orderWorker(orderRate / orderWorkers, mine, productId, followEvery)));
			}
		}
		ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor();
		List<java.util.concurrent.Future<?>> followers = new ArrayList<>();
		for (int i = 0; i < streamWorkers; i++) {
			followers.add(streams.submit(() -> {
				while (true) {
					Paid p = toFollow.poll(200, TimeUnit.MILLISECONDS);
					if (p == null) {
						if (stop.get()) {
							return null;
						}
						continue;
					}
					count("stream followed");
					follow(p);
				}
			}));
		}
		long startedAt = System.currentTimeMillis();
		System.out.println("lb-rush: running against " + base + " until " + stopFile + " exists (at most " + maxSeconds + " s)");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
		while (!Files.exists(stopFile) && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}
		stop.set(true);
		for (var f : loads) {
			f.get(60, TimeUnit.SECONDS);
		}
		toFollow.clear();
		for (var f : followers) {
			f.get(150, TimeUnit.SECONDS);
		}
		long seconds = Math.max(1, (System.currentTimeMillis() - startedAt) / 1000);

		StringBuilder text = new StringBuilder();
		text.append("seconds=").append(seconds).append('\n');
		new TreeMap<>(outcomes).forEach((k, v) -> text.append("outcome ").append(k.trim().replace(' ', '_')).append('=')
			.append(v.sum()).append('\n'));
		new TreeMap<>(couponTally).forEach((index, t) -> text.append("coupon ").append(coupons.getOrDefault(index, -1L))
			.append(' ').append(t[0]).append(' ').append(t[1]).append(' ').append(t[2]).append(' ').append(t[3])
			.append(' ').append(t[4]).append(' ').append(Math.min(usersPerCoupon,
					couponSeq.get() - (long) index * usersPerCoupon)).append('\n'));
		for (Paid p : paid) {
			text.append("paid ").append(p.orderId()).append(' ').append(p.userId()).append(' ').append(p.amount()).append('\n');
		}
		for (String e : errorSamples) {
			text.append("sample ").append(e.replace('\n', ' ')).append('\n');
		}
		Files.writeString(out, text);
		System.out.println("lb-rush: done after " + seconds + " s; " + paid.size() + " orders paid, "
				+ couponSeq.get() + " coupon requests; written to " + out);
		System.exit(0);
	}

}
