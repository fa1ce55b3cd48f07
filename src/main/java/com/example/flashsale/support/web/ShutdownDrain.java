package com.example.flashsale.support.web;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first step of a graceful stop (docs/operations.md "Several instances behind a load balancer",
 * docs/adr/0027): on SIGTERM, before the web server stops taking connections, this instance
 * <ol>
 * <li>says it is not ready ({@code /actuator/health/readiness} answers 503 OUT_OF_SERVICE), so the
 * balancer's health check takes it out of the pool;</li>
 * <li>ends its open server-sent event streams ({@link StreamLimits#drain()}), so their clients reconnect,
 * through the balancer, to another instance and resume with {@code Last-Event-ID}; a stream asked for
 * from now on is refused with 503 {@code SERVICE_UNAVAILABLE} and {@code Retry-After};</li>
 * <li>keeps serving every other request for {@code app.shutdown.drain-delay} (3 s), while the balancer
 * notices.</li>
 * </ol>
 * Then Spring Boot's graceful shutdown closes the listening socket (a balancer's new connection is refused
 * and retried on another instance) and waits, up to {@code spring.lifecycle.timeout-per-shutdown-phase},
 * for the requests in flight to be answered.
 *
 * <p>Runs in the latest lifecycle phase, so it stops first, on the thread closing the context (never an
 * event loop): the wait is a plain sleep there.
 */
@Component
class ShutdownDrain implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ShutdownDrain.class);

	private final ApplicationEventPublisher events;

	private final StreamLimits streams;

	private final ShutdownProperties properties;

	private volatile boolean running;

	ShutdownDrain(ApplicationEventPublisher events, StreamLimits streams, ShutdownProperties properties) {
		this.events = events;
		this.streams = streams;
		this.properties = properties;
	}

	private volatile boolean stopped;

	/**
	 * Starts with the context. A start after a {@link #stop()} without a close (Spring's lifecycle stop and
	 * start: a paused test context, an operator's restart of the context) undoes the drain: streams are
	 * taken again and the instance says it is ready again. The first start publishes nothing: readiness
	 * is Spring Boot's (and the warm-up's, docs/operations.md "Cold start") to give.
	 */
	@Override
	public void start() {
		if (this.stopped) {
			this.streams.resume();
			AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
			this.stopped = false;
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.stopped = true;
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		int ended = this.streams.drain();
		long delay = this.properties.drainDelay().toMillis();
		logger.info("Stopping: not ready, " + ended + " event streams ended; serving for " + delay
				+ " ms more while load balancers notice");
		if (delay > 0) {
			try {
				Thread.sleep(delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** The latest phase: stopped before the web server's graceful shutdown and every other lifecycle bean. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
