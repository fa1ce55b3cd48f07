package com.example.flashsale.support.jobs;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;

/**
 * A recurring background job, the one way the service schedules work (docs/architecture.md "Startup
 * and background jobs"): coupon issue-log recovery, the outbox relay, pending-order recovery, the
 * popular-products aggregation. A job says what it is ({@link #schedule()}: name, first delay, interval,
 * whether it runs on one instance at a time) and what one run does ({@link #runOnce()}); this class
 * runs it from {@link #start()} to {@link #stop()}: each run starts {@code interval} after the previous
 * one ended, a failed run is logged and the schedule goes on, and a one-instance job runs under its
 * {@link SingleRunJobs} lock (skipped while another instance holds it).
 */
public abstract class BackgroundJob implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(BackgroundJob.class);

	private final SingleRunJobs locks;

	private volatile Disposable running;

	/** @param locks the cross-instance locks, for jobs whose {@link Schedule#lockAtMostFor} is set */
	protected BackgroundJob(SingleRunJobs locks) {
		this.locks = locks;
	}

	/**
	 * When and how a job runs.
	 * @param name the job's name in logs and its lock's name
	 * @param enabled false to never run it on this instance
	 * @param initialDelay the wait before the first run
	 * @param interval the wait between the end of a run and the start of the next
	 * @param lockAtMostFor null when every instance runs the job (its runs are safe to overlap); else it
	 * runs on one instance at a time, under a lock that frees itself after this long if its holder died
	 */
	public record Schedule(String name, boolean enabled, Duration initialDelay, Duration interval,
			Duration lockAtMostFor) {

		/** A job every instance runs. */
		public static Schedule everyInstance(String name, Duration initialDelay, Duration interval) {
			return new Schedule(name, true, initialDelay, interval, null);
		}

		/** A job one instance at a time runs. */
		public static Schedule oneInstance(String name, Duration initialDelay, Duration interval, Duration lockAtMostFor) {
			return new Schedule(name, true, initialDelay, interval, lockAtMostFor);
		}

		/** This schedule, switched off when {@code enabled} is false. */
		public Schedule enabledIf(boolean enabled) {
			return new Schedule(this.name, enabled, this.initialDelay, this.interval, this.lockAtMostFor);
		}

	}

	/** When and how this job runs. */
	protected abstract Schedule schedule();

	/** One run of the job; safe to call directly (tests, an operator's trigger) besides the schedule. */
	protected abstract Mono<?> runOnce();

	@Override
	public void start() {
		Schedule schedule = schedule();
		if (!schedule.enabled()) {
			return;
		}
		this.running = Flux.interval(schedule.initialDelay(), schedule.interval())
			.onBackpressureDrop()
			.concatMap((tick) -> run(schedule).onErrorResume((ex) -> {
				logger.warn("Job " + schedule.name() + " failed; it runs again in " + schedule.interval() + ": " + ex);
				return Mono.empty();
			}))
			.subscribe();
	}

	private Mono<?> run(Schedule schedule) {
		return (schedule.lockAtMostFor() != null)
				? this.locks.runAlone(schedule.name(), schedule.lockAtMostFor(), () -> runOnce().then())
				: Mono.defer(this::runOnce);
	}

	@Override
	public void stop() {
		Disposable current = this.running;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		Disposable current = this.running;
		return current != null && !current.isDisposed();
	}

}
