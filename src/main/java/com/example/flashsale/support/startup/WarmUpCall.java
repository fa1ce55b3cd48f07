package com.example.flashsale.support.startup;

import org.springframework.http.HttpMethod;

/**
 * One request the warm-up sends to the service's own routes over loopback, as the synthetic user of
 * {@link WarmUpIdentity} (Bearer token minted with the service's secret).
 *
 * @param method the HTTP method
 * @param path the path and query, e.g. {@code /api/coupons/9223372036854775807/issue}
 * @param body a JSON body, or {@code null} for none
 * @param idempotencyKey whether to send a fresh {@code Idempotency-Key} header (prefix {@link #KEY_PREFIX})
 */
public record WarmUpCall(HttpMethod method, String path, String body, boolean idempotencyKey) {

	/** Prefix of every Idempotency-Key the warm-up sends. */
	public static final String KEY_PREFIX = "warmup-";

	/** A GET without body. */
	public static WarmUpCall get(String path) {
		return new WarmUpCall(HttpMethod.GET, path, null, false);
	}

	/**
	 * An {@code Idempotency-Key} the warm-up sent, with its synthetic user: what the fixtures remove afterwards.
	 *
	 * @param userId the synthetic user ({@link WarmUpIdentity})
	 * @param key the header's value
	 */
	public record SentKey(long userId, String key) {
	}

}
