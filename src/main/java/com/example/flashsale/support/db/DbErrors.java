package com.example.flashsale.support.db;

import io.r2dbc.spi.R2dbcException;

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

	private DbErrors() {
	}

	/**
	 * Whether {@code ex} says the statement lost a deadlock ({@link #DEADLOCK} or {@link #AUTOINC_READ_FAILED}):
	 * its transaction was rolled back before any commit, so running it again is safe.
	 */
	public static boolean isDeadlock(Throwable ex) {
		return is(ex, DEADLOCK) || is(ex, AUTOINC_READ_FAILED);
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
