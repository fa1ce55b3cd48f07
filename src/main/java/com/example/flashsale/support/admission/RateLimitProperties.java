package com.example.flashsale.support.admission;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.rate-limit.*}: the per-user token buckets of {@link RateLimits} (docs/operations.md "Admission: rate limits, load shedding, sold out from memory",
 * ADR 0023).
 *
 * @param enabled whether writes are rate-limited at all (on by default; the test profile turns it off)
 * @param admin whether {@code /api/admin/**} is limited too (off by default)
 * @param redisTimeout how long a bucket in Redis may take to answer before this instance decides with its
 * own local bucket instead (fail open to a per-instance bucket); a stopped Redis is refused at once
 * @param localBuckets most local fallback buckets kept; the map is emptied beyond it
 * @param routes rules by name, merged over {@link #DEFAULT_ROUTES}: the same name replaces a default, a
 * capacity of 0 turns a rule off. A request falls under the most specific matching pattern.
 */
@ConfigurationProperties("app.rate-limit")
public record RateLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean admin,
		@DefaultValue("200ms") Duration redisTimeout, @DefaultValue("10000") int localBuckets, Map<String, Route> routes) {

	/**
	 * The rules when none is configured: a claim, an order and a charge 5 a second per user (a burst of 5),
	 * a stream token 10, any other write 20.
	 */
	public static final Map<String, Route> DEFAULT_ROUTES = defaults();

	/**
	 * One route's bucket: {@code capacity} tokens, refilled at {@code capacity} per {@code period}; each
	 * request takes one.
	 *
	 * @param method comma-separated methods, e.g. {@code POST}
	 * @param pattern path pattern, e.g. {@code /api/coupons/{couponId}/issue}
	 * @param capacity burst size and tokens per period; 0 turns the rule off
	 * @param period the refill period
	 */
	public record Route(String method, String pattern, long capacity, Duration period) {
	}

	/** {@link #DEFAULT_ROUTES} with the configured ones over them, the disabled ones left out. */
	public Map<String, Route> effectiveRoutes() {
		Map<String, Route> merged = new LinkedHashMap<>(DEFAULT_ROUTES);
		if (this.routes != null) {
			this.routes.forEach((name, route) -> {
				Route base = merged.get(name);
				merged.put(name,
						new Route((route.method() != null) ? route.method() : (base != null) ? base.method() : "POST",
								(route.pattern() != null) ? route.pattern() : (base != null) ? base.pattern() : null,
								route.capacity(),
								(route.period() != null) ? route.period() : (base != null) ? base.period() : Duration.ofSeconds(1)));
			});
		}
		merged.values().removeIf((route) -> route.capacity() <= 0 || route.pattern() == null);
		return merged;
	}

	private static Map<String, Route> defaults() {
		Map<String, Route> routes = new LinkedHashMap<>();
		Duration second = Duration.ofSeconds(1);
		routes.put("coupon-issue", new Route("POST", "/api/coupons/{couponId}/issue", 5, second));
		routes.put("order", new Route("POST", "/api/orders", 5, second));
		routes.put("charge", new Route("POST", "/api/balance/charge", 5, second));
		routes.put("stream-token", new Route("POST", "/api/orders/{orderId}/stream-token", 10, second));
		routes.put("writes", new Route("POST,PUT,PATCH,DELETE", "/api/**", 20, second));
		return Map.copyOf(routes);
	}

}
