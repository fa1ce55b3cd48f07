package com.example.flashsale.support.startup;

/**
 * Thrown by a {@link StartupTask} that found the service must not start (docs/architecture.md "Startup and
 * background jobs"): unlike any other failure of a task, it stops the start, with its message as the reason.
 */
public class StartupRefusedException extends RuntimeException {

	/** @param reason what is wrong and what the operator can do about it */
	public StartupRefusedException(String reason) {
		super(reason);
	}

}
