package com.example.flashsale.support.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The sizes a request may have before it is refused with a problem detail ({@code app.web.limits.*},
 * docs/api.md "Request limits"). The server's JSON decoder enforces the body's limit too (JacksonConfig); the
 * service's own HTTP clients keep Spring's default. The first two must stay below the HTTP server's own hard limits
 * ({@code server.netty.max-initial-line-length}, {@code server.max-http-request-header-size}), beyond which
 * the server answers a bare 414 / 431 before any application code runs.
 *
 * @param requestTarget the longest path and query string (bytes as sent, percent-encoded), else 414
 * {@code URI_TOO_LONG}
 * @param headers the largest header section (every {@code name: value} line with its line end), else 431
 * {@code HEADERS_TOO_LARGE}
 * @param body the largest request body, else 413 {@code BODY_TOO_LARGE}
 */
@ConfigurationProperties("app.web.limits")
public record RequestLimitsProperties(@DefaultValue("8KB") DataSize requestTarget, @DefaultValue("16KB") DataSize headers,
		@DefaultValue("64KB") DataSize body) {

	/**
	 * @throws IllegalArgumentException when a limit is not positive
	 */
	public RequestLimitsProperties {
		if (requestTarget.toBytes() < 1 || headers.toBytes() < 1 || body.toBytes() < 1 || body.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("app.web.limits.request-target, headers and body must be positive (body below 2 GB)");
		}
	}

}
