package com.example.flashsale.support.startup;

/**
 * Work done once at startup, on the main thread, before the service takes requests
 * (docs/architecture.md "Startup and background jobs"): warm-ups that would otherwise block an
 * event-loop thread on first use (class loading, lock-guarded lazy initialisation, file reads, the
 * BlockHound rule), and loads of Redis state from MySQL. The one place such work goes: a bean
 * implementing this interface, ordered with {@code @Order}; {@link StartupTasks} runs them all.
 */
public interface StartupTask {

	/**
	 * Does the work; may block (it runs on the main thread). A {@code RuntimeException} is logged and
	 * startup goes on: a task must leave the service correct without its work (only slower on first use).
	 * A {@link StartupRefusedException} stops the start instead: the service must not run as configured.
	 */
	void run();

}
