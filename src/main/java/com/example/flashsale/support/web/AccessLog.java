package com.example.flashsale.support.web;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The access log (docs/architecture.md "Access log"): one line per request, {@code METHOD path status
 * ms user=<JWT sub>}, written by a thread of its own so that an event loop never waits on the console or
 * a file. An event loop only admits the line under the rate cap and hands it over through a lock-free
 * queue; lines over {@code maxLinesPerSecond} in the current second, or beyond {@code queueCapacity}
 * waiting lines, are dropped and counted. The writer reports the drops of each second in one line
 * ({@code access log: 4,812 lines dropped in the last second (cap 200 lines/s)}), and {@link #dropped()}
 * totals them (the {@code access.log.dropped} counter). Logger {@value #LOGGER}, level INFO.
 *
 * <p>A request still unanswered after {@code app.access-log.slow-request} (10 s) is reported once, at WARN,
 * while it runs ({@code request unanswered for 10,012 ms: POST /api/balance/charge user=5}), and its line is
 * written when it ends whatever the cap: every backend call has a bound far below that, so such a request is
 * a bug or a stuck dependency, and the operator sees it before the client gives up. Server-sent event streams
 * are long by design and left out. The requests in flight are a concurrent set the writer walks once a
 * second.
 */
public final class AccessLog implements AutoCloseable {

	/** The logger the lines go to. */
	public static final String LOGGER = "flashsale.access";

	private static final Log logger = LogFactory.getLog(LOGGER);

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private static final long WRITER_PAUSE_MS = 20;

	private final int maxLinesPerSecond;

	private final int queueCapacity;

	private final LongSupplier nanoTime;

	private final Consumer<String> sink;

	private final Consumer<String> warnings;

	private final long slowNanos;

	private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();

	private final Queue<Line> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicLong window = new AtomicLong(Long.MIN_VALUE);

	private final AtomicInteger admittedInWindow = new AtomicInteger();

	private final AtomicLong droppedTotal = new AtomicLong();

	private final AtomicLong droppedUnreported = new AtomicLong();

	/** Drains the queue every {@link #WRITER_PAUSE_MS}; null when the caller drains (tests). */
	private final ScheduledExecutorService writer;

	private long lastReport;

	/**
	 * Starts the writer thread.
	 * @param properties the cap and the queue bound
	 */
	public AccessLog(AccessLogProperties properties) {
		this(properties, System::nanoTime, true, AccessLog::toLogger, AccessLog::warn);
	}

	/**
	 * @param properties the cap and the queue bound
	 * @param nanoTime the clock of the rate cap, in nanoseconds
	 * @param startWriter whether to start the writer thread (tests drain with {@link #drain()})
	 * @param sink where the writer puts each line
	 * @param warnings where the writer reports a request unanswered for longer than the slow bound
	 */
	AccessLog(AccessLogProperties properties, LongSupplier nanoTime, boolean startWriter, Consumer<String> sink,
			Consumer<String> warnings) {
		this.maxLinesPerSecond = properties.maxLinesPerSecond();
		this.queueCapacity = properties.queueCapacity();
		this.slowNanos = properties.slowRequest().toNanos();
		this.nanoTime = nanoTime;
		this.sink = sink;
		this.warnings = warnings;
		this.lastReport = nanoTime.getAsLong();
		this.writer = startWriter ? Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "access-log");
			thread.setDaemon(true);
			return thread;
		}) : null;
		if (this.writer != null) {
			this.writer.scheduleWithFixedDelay(this::drainQuietly, WRITER_PAUSE_MS, WRITER_PAUSE_MS, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Notes a request that has just arrived; never blocks. Call {@link #finished} when it ends.
	 * @param method the HTTP method
	 * @param path the request path, without the query string
	 * @param streaming whether the answer is a server-sent event stream (read by the writer thread)
	 * @return the request's handle, which also carries its caller once known
	 */
	public InFlight started(String method, String path, BooleanSupplier streaming) {
		InFlight request = new InFlight(method, path, this.nanoTime.getAsLong(), streaming);
		this.inFlight.add(request);
		return request;
	}

	/**
	 * Records the end of a request {@link #started} earlier: its line, admitted as {@link #record} does, or
	 * always when it ran longer than the slow bound (and was no stream).
	 * @param request the handle {@link #started} returned
	 * @param status the answered status, 0 when none was sent (the client went away)
	 * @return whether the line was admitted
	 */
	public boolean finished(InFlight request, int status) {
		this.inFlight.remove(request);
		long nanos = this.nanoTime.getAsLong() - request.startedNanos;
		if (nanos >= this.slowNanos && !request.streaming.getAsBoolean()) {
			this.queued.incrementAndGet();
			this.queue.offer(new Line(request.method, request.path, status, nanos, request.user));
			return true;
		}
		return record(request.method, request.path, status, nanos, request.user);
	}

	/**
	 * Records one answered request; never blocks (a few atomic operations), so event loops may call it.
	 * @param method the HTTP method
	 * @param path the request path, without the query string
	 * @param status the answered status, 0 when none was sent (the client went away)
	 * @param nanos how long the request took, in nanoseconds
	 * @param user the caller's id (JWT {@code sub}), or {@code null} when anonymous
	 * @return whether the line was admitted; {@code false} when it was dropped and counted
	 */
	public boolean record(String method, String path, int status, long nanos, String user) {
		if (!admit()) {
			return drop();
		}
		if (this.queued.incrementAndGet() > this.queueCapacity) {
			this.queued.decrementAndGet();
			return drop();
		}
		this.queue.offer(new Line(method, path, status, nanos, user));
		return true;
	}

	private boolean drop() {
		this.droppedTotal.incrementAndGet();
		this.droppedUnreported.incrementAndGet();
		return false;
	}

	/** At most {@code maxLinesPerSecond} admissions per second of the clock (a fixed window). */
	private boolean admit() {
		long second = Math.floorDiv(this.nanoTime.getAsLong(), SECOND);
		long current = this.window.get();
		if (second != current && this.window.compareAndSet(current, second)) {
			this.admittedInWindow.set(0);
		}
		return this.admittedInWindow.incrementAndGet() <= this.maxLinesPerSecond;
	}

	/** Lines dropped since startup, over the cap or the queue bound. */
	public long dropped() {
		return this.droppedTotal.get();
	}

	/**
	 * Writes every waiting line and, once a second, the count of dropped lines; what the writer runs every
	 * 20 ms.
	 * @return the number of request lines written
	 */
	int drain() {
		int written = 0;
		for (Line line = this.queue.poll(); line != null; line = this.queue.poll()) {
			this.queued.decrementAndGet();
			this.sink.accept(line.text());
			written++;
		}
		long now = this.nanoTime.getAsLong();
		if (now - this.lastReport >= SECOND) {
			this.lastReport = now;
			reportUnanswered(now);
			long dropped = this.droppedUnreported.getAndSet(0);
			if (dropped > 0) {
				this.sink.accept(String.format("access log: %,d lines dropped in the last second (cap %,d lines/s)", dropped,
						this.maxLinesPerSecond));
			}
		}
		return written;
	}

	/** Reports, once each, the requests in flight for longer than the slow bound (streams left out). */
	private void reportUnanswered(long now) {
		for (InFlight request : this.inFlight) {
			long age = now - request.startedNanos;
			if (age >= this.slowNanos && !request.reported && !request.streaming.getAsBoolean()) {
				request.reported = true;
				this.warnings.accept(String.format("request unanswered for %,d ms: %s %s user=%s",
						TimeUnit.NANOSECONDS.toMillis(age), request.method, request.path,
						(request.user != null) ? request.user : "-"));
			}
		}
	}

	private static void warn(String line) {
		logger.warn(line);
	}

	private static void toLogger(String line) {
		if (logger.isInfoEnabled()) {
			logger.info(line);
		}
	}

	private void drainQuietly() {
		try {
			drain();
		}
		catch (RuntimeException ex) {
			// a broken appender must not end the access log
		}
	}

	/** Stops the writer after it wrote what is waiting. */
	@Override
	public void close() {
		if (this.writer != null) {
			this.writer.shutdown();
			try {
				this.writer.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		drainQuietly();
	}

	/** A request that has arrived and not ended yet ({@link #started}). */
	public static final class InFlight {

		private final String method;

		private final String path;

		private final long startedNanos;

		private final BooleanSupplier streaming;

		private volatile String user;

		private volatile boolean reported;

		private InFlight(String method, String path, long startedNanos, BooleanSupplier streaming) {
			this.method = method;
			this.path = path;
			this.startedNanos = startedNanos;
			this.streaming = streaming;
		}

		/** Notes the authenticated caller's id (the JWT {@code sub}) for the request's line. */
		public void user(String user) {
			this.user = user;
		}

	}

	/** One request, formatted by the writer thread. */
	private record Line(String method, String path, int status, long nanos, String user) {

		String text() {
			return this.method + " " + this.path + " " + ((this.status > 0) ? this.status : "-") + " "
					+ TimeUnit.NANOSECONDS.toMillis(this.nanos) + "ms user=" + ((this.user != null) ? this.user : "-");
		}

	}

}
