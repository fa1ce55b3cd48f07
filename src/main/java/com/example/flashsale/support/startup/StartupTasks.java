package com.example.flashsale.support.startup;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs every {@link StartupTask} bean, in {@code @Order}, on the main thread once the context is
 * refreshed and before the web server accepts requests (lifecycle phase 0; the web server starts in a
 * later phase).
 */
@Component
class StartupTasks implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StartupTasks.class);

	private final ObjectProvider<StartupTask> tasks;

	private volatile boolean running;

	StartupTasks(ObjectProvider<StartupTask> tasks) {
		this.tasks = tasks;
	}

	@Override
	public void start() {
		List<StartupTask> ordered = this.tasks.orderedStream().toList();
		for (StartupTask task : ordered) {
			long started = System.nanoTime();
			try {
				task.run();
			}
			catch (StartupRefusedException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				logger.warn("Startup task " + task.getClass().getSimpleName() + " failed; going on without it: " + ex);
			}
			logger.debug("Startup task " + task.getClass().getSimpleName() + " took "
					+ (System.nanoTime() - started) / 1_000_000 + " ms");
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return 0;
	}

}
