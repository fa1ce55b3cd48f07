package com.example.flashsale;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Keeps the warnings and errors a fault test provokes on purpose off the console, so that
 * {@code ./mvnw verify} shows only real ones (docs/architecture.md "Quiet test runs"). Register it in the fault test with the loggers it expects to complain:
 * <pre>
 * &#64;RegisterExtension
 * static final ExpectedLogs EXPECTED = ExpectedLogs.of("com.example.flashsale.order.OrderSaga");
 * </pre>
 * While the test class runs, those loggers write into a list instead of the console ({@link #messages()}
 * lets a test assert what was logged); afterwards one line says how many were kept back. Starting an
 * application logs anew (Spring Boot resets logback), so {@link #attach()} runs before each test and a
 * test that starts one more application calls it again.
 */
public final class ExpectedLogs implements BeforeEachCallback, AfterAllCallback {

	private static final org.slf4j.Logger logger = LoggerFactory.getLogger(ExpectedLogs.class);

	private final List<String> names;

	private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

	private ExpectedLogs(List<String> names) {
		this.names = names;
		this.captured.setName("expected-logs");
	}

	/**
	 * @param loggerNames the loggers whose output the test provokes on purpose
	 * @return the extension, to register as a static field
	 */
	public static ExpectedLogs of(String... loggerNames) {
		return new ExpectedLogs(Arrays.asList(loggerNames));
	}

	/** Sends the expected loggers into the capture; idempotent. */
	public synchronized void attach() {
		LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
		if (!this.captured.isStarted()) {
			this.captured.setContext(context);
			this.captured.start();
		}
		for (String name : this.names) {
			Logger target = context.getLogger(name);
			if (target.getAppender(this.captured.getName()) == null) {
				target.addAppender(this.captured);
			}
			target.setAdditive(false);
		}
	}

	/** The messages captured so far, formatted. */
	public synchronized List<String> messages() {
		return this.captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

	/** Attaches before every test: an application started since may have reset logging. */
	@Override
	public void beforeEach(ExtensionContext context) {
		attach();
	}

	/** Gives the loggers back to the console and says in one line what was kept back. */
	@Override
	public synchronized void afterAll(ExtensionContext context) {
		LoggerContext loggers = (LoggerContext) LoggerFactory.getILoggerFactory();
		for (String name : this.names) {
			Logger target = loggers.getLogger(name);
			target.detachAppender(this.captured);
			target.setAdditive(true);
		}
		Map<String, Integer> counts = new TreeMap<>();
		for (ILoggingEvent event : this.captured.list) {
			if (event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)) {
				counts.merge(event.getLoggerName().replaceAll(".*\\.", "") + " " + event.getLevel(), 1, Integer::sum);
			}
		}
		if (!counts.isEmpty()) {
			logger.info("{} provoked {} on purpose (kept off the console)", context.getDisplayName(), counts);
		}
		this.captured.list.clear();
	}

}
