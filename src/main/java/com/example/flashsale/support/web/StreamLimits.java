package com.example.flashsale.support.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The cap on open server-sent event streams (docs/api.md "Errors", docs/operations.md "Timeouts"): at most
 * {@code app.streams.max-per-user} streams of one user and {@code app.streams.max-per-instance} streams in
 * all, over every SSE route (the order status stream, the console's live stream). Counted in this
 * instance's memory: a user may hold that many streams on each instance. Beyond the cap a stream is
 * refused with 429 {@code TOO_MANY_STREAMS} and {@code Retry-After}, before its first byte.
 *
 * <p>When the instance stops ({@link #drain()}, docs/adr/0027) every open stream ends, so its client
 * reconnects elsewhere, and a new one is refused with 503 {@code SERVICE_UNAVAILABLE} and
 * {@code Retry-After}.
 */
@Component
public class StreamLimits {

	private final StreamProperties settings;

	private final AtomicInteger open = new AtomicInteger();

	private final Map<Long, AtomicInteger> openPerUser = new ConcurrentHashMap<>();

	/** Ends the streams open when {@link #drain()} runs; a fresh one after {@link #resume()}. */
	private volatile Sinks.One<Boolean> draining = Sinks.one();

	private final AtomicBoolean stopping = new AtomicBoolean();

	StreamLimits(StreamProperties settings) {
		this.settings = settings;
	}

	/**
	 * {@code events} holding one of {@code userId}'s stream slots from subscription to its end (complete,
	 * error or the client gone); when no slot is free the subscription fails at once with a
	 * {@link ProblemException} {@code TOO_MANY_STREAMS}, which the web layer answers as a 429 (the response
	 * is not committed before the first event).
	 */
	public <T> Flux<T> limited(long userId, Flux<T> events) {
		return Flux.using(() -> take(userId), (slot) -> events.takeUntilOther(this.draining.asMono()), Slot::release);
	}

	/**
	 * Ends every open stream (each completes, as if it had nothing more to say now) and refuses the streams
	 * asked for from now on: this instance is stopping ({@link ShutdownDrain}).
	 * @return how many streams were open
	 */
	int drain() {
		this.stopping.set(true);
		int ended = this.open.get();
		this.draining.tryEmitValue(Boolean.TRUE);
		return ended;
	}

	/**
	 * Takes streams again after {@link #drain()}: the context was stopped and started again without
	 * closing (Spring's {@code Lifecycle} stop/start, e.g. a test context paused while unused).
	 */
	void resume() {
		this.draining = Sinks.one();
		this.stopping.set(false);
	}

	/** Streams open on this instance now. */
	public int open() {
		return this.open.get();
	}

	private Slot take(long userId) {
		if (this.stopping.get()) {
			throw new ProblemException(ErrorCode.SERVICE_UNAVAILABLE, "This instance is stopping; open the stream again.");
		}
		if (this.open.incrementAndGet() > this.settings.maxPerInstance()) {
			this.open.decrementAndGet();
			throw new ProblemException(ErrorCode.TOO_MANY_STREAMS,
					"This instance has " + this.settings.maxPerInstance() + " streams open; retry later.");
		}
		AtomicInteger mine = this.openPerUser.compute(userId, (id, count) -> {
			AtomicInteger counter = (count != null) ? count : new AtomicInteger();
			counter.incrementAndGet();
			return counter;
		});
		if (mine.get() > this.settings.maxPerUser()) {
			new Slot(userId).release();
			throw new ProblemException(ErrorCode.TOO_MANY_STREAMS,
					"At most " + this.settings.maxPerUser() + " streams may be open per user; close one first.");
		}
		return new Slot(userId);
	}

	/** One open stream; releasing it twice is harmless. */
	private final class Slot {

		private final long userId;

		private final AtomicBoolean released = new AtomicBoolean();

		Slot(long userId) {
			this.userId = userId;
		}

		void release() {
			if (this.released.compareAndSet(false, true)) {
				StreamLimits.this.open.decrementAndGet();
				StreamLimits.this.openPerUser.computeIfPresent(this.userId,
						(id, count) -> (count.decrementAndGet() <= 0) ? null : count);
			}
		}

	}

}
