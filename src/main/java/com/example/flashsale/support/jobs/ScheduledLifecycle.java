package com.example.flashsale.support.jobs;

import reactor.core.Disposable;

import org.springframework.context.SmartLifecycle;

/**
 * A background job's lifecycle: {@link #start()} subscribes the schedule {@link #schedule()} returns,
 * {@link #stop()} disposes it, and the job runs while that subscription is live. For the recurring work
 * of coupon recovery, the outbox relay, pending-order recovery and popular products.
 */
public abstract class ScheduledLifecycle implements SmartLifecycle {

	private volatile Disposable schedule;

	/** Starts the job's recurring work; disposing the returned handle stops it. */
	protected abstract Disposable schedule();

	@Override
	public void start() {
		this.schedule = schedule();
	}

	@Override
	public void stop() {
		Disposable current = this.schedule;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		Disposable current = this.schedule;
		return current != null && !current.isDisposed();
	}

}
