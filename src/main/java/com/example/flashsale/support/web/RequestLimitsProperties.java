package com.example.flashsale.support.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The sizes a request may have before it is refused with a problem detail ({@code app.web.limits.*},
 * docs/api.md "Request limits"). The body's limit is {@code spring.http.codecs.max-in-memory-size}, the same
 * the JSON decoder enforces. Each must stay below the HTTP server's own hard limits
 * ({@code server.netty.max-initial-line-length}, {@code server.max-http-request-header-size}), beyond which
 * the server answers a bare 414 / 431 before any application code runs.
 *
 * @param requestTarget the longest path and query string (bytes as sent, percent-encoded), else 414
 * {@code URI_TOO_LONG}
 * @param headers the largest header section (every {@code name: value} line with its line end), else 431
 * {@code HEADERS_TOO_LARGE}
 */
@ConfigurationProperties("app.web.limits")
public record RequestLimitsProperties(@DefaultValue("8KB") DataSize requestTarget, @DefaultValue("16KB") DataSize headers) {

	/**
	 * @throws IllegalArgumentException when a limit is not positive
	 */
	public RequestLimitsProperties {
		if (requestTarget.toBytes() < 1 || headers.toBytes() < 1) {
			throw new IllegalArgumentException("app.web.limits.request-target and headers must be positive");
		}
	}

}
