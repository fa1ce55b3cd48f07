package com.example.flashsale.support.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Wires the {@link AccessLog} (docs/architecture.md "Access log"). It measures around the whole HTTP
 * handler (an {@link HttpHandlerDecoratorFactory}), outside the filters and the problem-detail exception
 * handler, so each line has the status really sent and the time until the answer was written; a filter
 * placed after Spring Security notes the authenticated caller's id (the JWT {@code sub}) for that line,
 * through the Reactor context. A request unanswered past {@code app.access-log.slow-request} is reported while it
 * runs ({@link AccessLog}). Off with {@code app.access-log.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "app.access-log.enabled", matchIfMissing = true)
class AccessLogConfig {

	@Bean(destroyMethod = "close")
	AccessLog accessLog(AccessLogProperties properties, ObjectProvider<MeterRegistry> meters) {
		AccessLog accessLog = new AccessLog(properties);
		meters.ifAvailable((registry) -> FunctionCounter.builder("access.log.dropped", accessLog, AccessLog::dropped)
			.description("Access log lines dropped over app.access-log.max-lines-per-second or the queue bound")
			.register(registry));
		return accessLog;
	}

	@Bean
	HttpHandlerDecoratorFactory accessLogDecorator(AccessLog accessLog) {
		return (delegate) -> (request, response) -> {
			AccessLog.InFlight inFlight = accessLog.started(request.getMethod().name(), request.getPath().value(),
					() -> MediaType.TEXT_EVENT_STREAM.isCompatibleWith(response.getHeaders().getContentType()));
			return delegate.handle(request, response)
				.contextWrite((context) -> context.put(AccessLog.InFlight.class, inFlight))
				.doFinally((signal) -> accessLog.finished(inFlight, status(response, signal)));
		};
	}

	@Bean
	AccessLogCallerFilter accessLogCallerFilter() {
		return new AccessLogCallerFilter();
	}

	private static int status(ServerHttpResponse response, SignalType signal) {
		HttpStatusCode status = response.getStatusCode();
		if (status != null) {
			return status.value();
		}
		// nothing set: 200 once written, nothing when the client went away first
		return (signal == SignalType.CANCEL && !response.isCommitted()) ? 0 : 200;
	}

	/**
	 * Notes the authenticated caller of the request for its access log line. Runs after Spring Security's
	 * filter chain (order -100), where the exchange knows the principal; requests refused by security
	 * never get here and are logged without a user.
	 */
	static final class AccessLogCallerFilter implements WebFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return Mono.deferContextual((context) -> {
				AccessLog.InFlight inFlight = context.getOrDefault(AccessLog.InFlight.class, null);
				if (inFlight == null) {
					return chain.filter(exchange);
				}
				return exchange.getPrincipal()
					.doOnNext((principal) -> inFlight.user(principal.getName()))
					.then(chain.filter(exchange));
			});
		}

		@Override
		public int getOrder() {
			return 0;
		}

	}

}
