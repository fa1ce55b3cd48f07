package com.example.flashsale.support.openapi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * The routes a {@link RouterFunction} registers, as {@code "METHOD /path"}, read with WebFlux's own
 * visitors (nested paths joined), and whether each route carries springdoc's operation attribute. A route
 * the visitors cannot read (a predicate or router function of unknown kind, static resources) is listed
 * as {@code "UNKNOWN ..."} so that a comparison with the document fails rather than skips it.
 */
public final class RouteTable {

	private RouteTable() {
	}

	/** One route: its {@code "METHOD /path"} entries and its attributes. */
	public record Route(List<String> entries, Map<String, Object> attributes) {
	}

	/** The {@code "METHOD /path"} entries of {@code function}. */
	public static Set<String> entries(RouterFunction<?> function) {
		Set<String> entries = new TreeSet<>();
		routes(function).forEach((route) -> entries.addAll(route.entries()));
		return entries;
	}

	/** Every route of {@code function}, in order. */
	public static List<Route> routes(RouterFunction<?> function) {
		List<Route> routes = new ArrayList<>();
		Deque<String> prefixes = new ArrayDeque<>();
		function.accept(new RouterFunctions.Visitor() {

			private Map<String, Object> attributes = Map.of();

			@Override
			public void startNested(RequestPredicate predicate) {
				Parts parts = Parts.of(predicate);
				prefixes.push(prefix() + String.join("", parts.paths));
			}

			@Override
			public void endNested(RequestPredicate predicate) {
				prefixes.pop();
			}

			@Override
			public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
				Parts parts = Parts.of(predicate);
				List<String> entries = new ArrayList<>();
				String path = prefix() + String.join("", parts.paths);
				if (parts.unknown || parts.methods.isEmpty()) {
					entries.add("UNKNOWN " + predicate);
				}
				parts.methods.forEach((method) -> entries.add(method.name() + " " + path));
				routes.add(new Route(entries, this.attributes));
				this.attributes = Map.of();
			}

			@Override
			public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
				routes.add(new Route(List.of("UNKNOWN resources " + lookupFunction), Map.of()));
			}

			@Override
			public void attributes(Map<String, Object> attributes) {
				this.attributes = attributes;
			}

			@Override
			public void unknown(RouterFunction<?> routerFunction) {
				routes.add(new Route(List.of("UNKNOWN " + routerFunction), Map.of()));
			}

			private String prefix() {
				return prefixes.isEmpty() ? "" : prefixes.peek();
			}

		});
		return routes;
	}

	/** What a predicate requires: methods, path patterns, and whether some part could not be read. */
	private static final class Parts implements RequestPredicates.Visitor {

		final Set<HttpMethod> methods = new TreeSet<>((a, b) -> a.name().compareTo(b.name()));

		final List<String> paths = new ArrayList<>();

		boolean unknown;

		static Parts of(RequestPredicate predicate) {
			Parts parts = new Parts();
			predicate.accept(parts);
			return parts;
		}

		@Override
		public void method(Set<HttpMethod> methods) {
			this.methods.addAll(methods);
		}

		@Override
		public void path(String pattern) {
			this.paths.add(pattern);
		}

		@Override
		public void pathExtension(String extension) {
			this.unknown = true;
		}

		@Override
		public void header(String name, String value) {
			// a header condition narrows a route; it stays the same operation
		}

		@Override
		public void queryParam(String name, String value) {
			this.unknown = true;
		}

		@Override
		public void version(String version) {
			this.unknown = true;
		}

		@Override
		public void startAnd() {
		}

		@Override
		public void and() {
		}

		@Override
		public void endAnd() {
		}

		@Override
		public void startOr() {
			this.unknown = true;
		}

		@Override
		public void or() {
		}

		@Override
		public void endOr() {
		}

		@Override
		public void startNegate() {
			this.unknown = true;
		}

		@Override
		public void endNegate() {
		}

		@Override
		public void unknown(RequestPredicate predicate) {
			this.unknown = true;
		}

	}

}
