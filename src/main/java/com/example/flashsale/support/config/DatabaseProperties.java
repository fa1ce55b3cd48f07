package com.example.flashsale.support.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.db.*}: bounds on the database (docs/operations.md "Timeouts").
 *
 * @param timeout the longest one database round trip may take before it fails as unreachable (a 503
 * with {@code Retry-After}): a statement until its first answer, a begin, commit or rollback, a
 * validation, and the TCP connect of a new connection. Acquiring a pooled connection has its own bound,
 * {@code spring.r2dbc.pool.max-acquire-time}. Keep it above the row-lock wait
 * ({@code TransactionConfig.LOCK_WAIT_TIMEOUT}, 3 s), so a statement queued behind a hot row fails by the
 * database's own lock timeout, not as an outage.
 */
@ConfigurationProperties("app.db")
public record DatabaseProperties(@DefaultValue("4s") Duration timeout) {
}
