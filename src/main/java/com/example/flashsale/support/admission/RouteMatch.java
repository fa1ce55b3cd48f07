package com.example.flashsale.support.admission;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The requests one admission rule applies to: HTTP methods and a path pattern ({@code {id}} for one segment,
 * {@code **} for the rest), e.g. {@code POST /api/coupons/{couponId}/issue}.
 *
 * @param name the rule's name (in headers, metrics and Redis keys)
 * @param methods the methods it covers
 * @param pattern the parsed path pattern
 */
record RouteMatch(String name, Set<HttpMethod> methods, PathPattern pattern) {

	/**
	 * @param methods comma-separated method names, e.g. {@code POST} or {@code POST,PUT,PATCH,DELETE}
	 * @param pattern a Spring path pattern
	 */
	static RouteMatch of(String name, String methods, String pattern) {
		Set<HttpMethod> parsed = Arrays.stream(methods.split(","))
			.map(String::strip)
			.filter((method) -> !method.isEmpty())
			.map((method) -> HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)))
			.collect(Collectors.toUnmodifiableSet());
		return new RouteMatch(name, parsed, PathPatternParser.defaultInstance.parse(pattern));
	}

	/** Whether a request with {@code method} on {@code path} falls under this rule. */
	boolean matches(HttpMethod method, PathContainer path) {
		return this.methods.contains(method) && this.pattern.matches(path);
	}

}
