package com.example.flashsale.support.problem;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Answers a {@link ProblemException} where it leaves the handler (docs/api.md "Errors"), with the same
 * problem detail: {@link ProblemExceptionHandler} writes it here. An error signal that travels out through
 * the filter chain passes a {@code checkpoint} per filter (Spring's filter chain and Spring Security's
 * both add one), and each builds onto the error's assembly trace: on the sold-out claim path, whose every
 * answer is a problem, that was about 9 % of the instance's CPU (a JFR profile of a warm sold-out rush,
 * docs/adr/0024-load-shedding-and-sold-out-from-memory.md). Innermost but for {@code DocumentationPages};
 * an error raised by a filter outside it, or after the response was committed, still reaches
 * {@link ProblemExceptionHandler}.
 */
@Component
class ProblemAnswering implements WebFilter, Ordered {

	private final ProblemExceptionHandler handler;

	ProblemAnswering(ProblemExceptionHandler handler) {
		this.handler = handler;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return chain.filter(exchange).onErrorResume(ProblemException.class, (problem) -> this.handler.handle(exchange, problem));
	}

	/** Inside every other filter of the service, Spring Security's included; outside {@code DocumentationPages}. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 1;
	}

}
