package com.example.flashsale.support.db;

import java.time.Duration;

import io.r2dbc.spi.R2dbcException;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Reads MySQL/MariaDB error numbers out of the exceptions R2DBC and Spring wrap them in, for the cases
 * Spring's translation does not tell apart (a duplicate key already is a {@code DuplicateKeyException}).
 */
public final class DbErrors {

	/** ER_NO_REFERENCED_ROW_2: a foreign key's parent row does not exist. */
	public static final int MISSING_PARENT_ROW = 1452;

	/** ER_LOCK_DEADLOCK: the transaction was chosen as a deadlock victim and rolled back. */
	public static final int DEADLOCK = 1213;

	/**
	 * ER_AUTOINC_READ_FAILED: how MariaDB reports a deadlock met while an {@code INSERT ... SELECT} waited for
	 * a table's auto-increment lock; the statement failed before its commit, like a deadlock victim.
	 */
	public static final int AUTOINC_READ_FAILED = 1467;

	/** How many times {@link #deadlockRetry()} runs a deadlock victim again. */
	public static final int DEADLOCK_RETRIES = 8;

	private DbErrors() {
	}

	/**
	 * Whether {@code ex} says the statement lost a deadlock ({@link #DEADLOCK} or {@link #AUTOINC_READ_FAILED}):
	 * its transaction was rolled back before any commit, so running it again is safe.
	 */
	public static boolean isDeadlock(Throwable ex) {
		return is(ex, DEADLOCK) || is(ex, AUTOINC_READ_FAILED);
	}

	/**
	 * How a transaction that lost a deadlock ({@link #isDeadlock}) runs again: up to {@link #DEADLOCK_RETRIES}
	 * more times, each after a jittered backoff from 2 ms doubling up to 100 ms (about 0.3 s at most in all),
	 * so two victims of one another do not collide again at once. When every retry lost, the last failure
	 * is signalled as it came. Only for work whose victim was rolled back whole before any commit.
	 */
	public static RetryBackoffSpec deadlockRetry() {
		return Retry.backoff(DEADLOCK_RETRIES, Duration.ofMillis(2))
			.maxBackoff(Duration.ofMillis(100))
			.jitter(0.5)
			.filter(DbErrors::isDeadlock)
			.onRetryExhaustedThrow((spec, last) -> last.failure());
	}

	/** Whether {@code ex}'s cause chain holds a database error numbered {@code errorCode}. */
	public static boolean is(Throwable ex, int errorCode) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof R2dbcException r2dbc && r2dbc.getErrorCode() == errorCode) {
				return true;
			}
		}
		return false;
	}

}
