package com.example.flashsale.support.openapi;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Serves the documentation off the event loops (docs/api.md "OpenAPI"): springdoc builds {@code /v3/api-docs}
 * by scanning class files under a lock, and the index page and Swagger UI are files read from jars, all
 * blocking I/O (BlockHound fails the first request otherwise). Those requests ({@code /}, {@code /index.html},
 * {@code /v3/api-docs/**}, {@code /swagger-ui.html}, {@code /swagger-ui/**}, {@code /webjars/**}) run on
 * Reactor's bounded elastic scheduler; every other request is left alone after a few string comparisons.
 * Ordered after Spring Security's filters, so only the handler's work moves. The document's requests lose
 * their {@code Accept-Language}: springdoc would build and keep one document per language a client names.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class DocumentationPages implements WebFilter {

	private static final String API_DOCS = "/v3/api-docs";

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (!isDocumentation(path)) {
			return chain.filter(exchange);
		}
		ServerWebExchange served = exchange;
		if (path.startsWith(API_DOCS) && exchange.getRequest().getHeaders().containsHeader(HttpHeaders.ACCEPT_LANGUAGE)) {
			// springdoc builds and caches one document per locale: one is enough, whatever clients send
			served = exchange.mutate().request((request) -> request.headers((headers) -> headers.remove(HttpHeaders.ACCEPT_LANGUAGE)))
				.build();
		}
		return chain.filter(served).subscribeOn(Schedulers.boundedElastic());
	}

	/** Whether {@code path} is one of the documentation pages. */
	static boolean isDocumentation(String path) {
		return path.equals("/") || path.equals("/index.html") || path.equals("/v3/api-docs")
				|| path.startsWith("/v3/api-docs/") || path.equals("/swagger-ui.html") || path.startsWith("/swagger-ui/")
				|| path.startsWith("/webjars/");
	}

}
