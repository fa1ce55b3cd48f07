package com.example.flashsale.support.admission;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.load-shedding.*}: how many requests of each expensive route one instance runs at once
 * ({@link LoadShedding}, docs/operations.md "Admission: rate limits, load shedding, sold out from memory", ADR 0024).
 *
 * @param enabled whether the caps apply at all (on by default; the test profile turns it off)
 * @param routes caps by name, merged over {@link #DEFAULT_ROUTES}: the same name replaces a default, a cap
 * of 0 turns it off
 */
@ConfigurationProperties("app.load-shedding")
public record LoadSheddingProperties(@DefaultValue("true") boolean enabled, Map<String, Route> routes) {

	/** The caps when none is configured: coupon claims, orders and charges (see ADR 0024 for the figures). */
	public static final Map<String, Route> DEFAULT_ROUTES = defaults();

	/**
	 * @param method comma-separated methods, e.g. {@code POST}
	 * @param pattern path pattern
	 * @param maxConcurrent requests of this route one instance runs at once; beyond, 503 {@code OVERLOADED}
	 */
	public record Route(String method, String pattern, int maxConcurrent) {
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
								route.maxConcurrent()));
			});
		}
		merged.values().removeIf((route) -> route.maxConcurrent() <= 0 || route.pattern() == null);
		return merged;
	}

	private static Map<String, Route> defaults() {
		Map<String, Route> routes = new LinkedHashMap<>();
		routes.put("coupon-issue", new Route("POST", "/api/coupons/{couponId}/issue", 64));
		routes.put("order", new Route("POST", "/api/orders", 64));
		routes.put("charge", new Route("POST", "/api/balance/charge", 64));
		return Map.copyOf(routes);
	}

}
