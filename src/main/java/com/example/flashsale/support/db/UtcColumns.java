package com.example.flashsale.support.db;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import io.r2dbc.spi.Readable;

/**
 * Conversions for the schema's {@code DATETIME(6)} columns, which hold UTC (docs/domain.md "Money and time": times are
 * UTC instants; the connection time zone is UTC).
 */
public final class UtcColumns {

	private UtcColumns() {
	}

	/** {@code instant} as the UTC wall-clock value to bind to a {@code DATETIME(6)} column. */
	public static LocalDateTime utc(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	/** The UTC {@code DATETIME(6)} column {@code column} of {@code row} as an instant; null when NULL. */
	public static Instant instant(Readable row, String column) {
		LocalDateTime value = row.get(column, LocalDateTime.class);
		return (value != null) ? value.toInstant(ZoneOffset.UTC) : null;
	}

}
