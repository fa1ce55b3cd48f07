package com.example.flashsale.support.web;

import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * Refuses a request over the documented size limits (docs/api.md "Request limits") with a problem detail,
 * before authentication and before any handler runs, and closes its connection: a request target over
 * {@code app.web.limits.request-target} is 414 {@code URI_TOO_LONG}, a header section over
 * {@code app.web.limits.headers} 431 {@code HEADERS_TOO_LARGE}, a body over
 * {@code app.web.limits.body} 413 {@code BODY_TOO_LARGE}: at once when its
 * {@code Content-Length} says so, and a body without one (chunked) is read up to the limit before the
 * handler runs, so a route that never reads its body refuses an oversized one too and nothing is written.
 */
@Component
class RequestLimits implements WebFilter, Ordered {

	/** Bytes of a header line besides its name and value: {@code ": "} and CRLF. */
	private static final int HEADER_LINE_OVERHEAD = 4;

	private final ProblemWriter problems;

	private final long maxTarget;

	private final long maxHeaders;

	private final int maxBody;

	RequestLimits(ProblemWriter problems, RequestLimitsProperties limits) {
		this.problems = problems;
		this.maxTarget = limits.requestTarget().toBytes();
		this.maxHeaders = limits.headers().toBytes();
		this.maxBody = (int) limits.body().toBytes();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		long target = targetLength(request);
		if (target > this.maxTarget) {
			return this.problems.refuse(exchange, ErrorCode.URI_TOO_LONG,
					"The request target is " + target + " bytes; the limit is " + this.maxTarget + ".");
		}
		long headers = headerLength(request.getHeaders());
		if (headers > this.maxHeaders) {
			return this.problems.refuse(exchange, ErrorCode.HEADERS_TOO_LARGE,
					"The request headers are " + headers + " bytes; the limit is " + this.maxHeaders + ".");
		}
		long length = request.getHeaders().getContentLength();
		if (length > this.maxBody) {
			return tooLarge(exchange);
		}
		if (length < 0 && request.getHeaders().containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return readBounded(exchange, chain);
		}
		return chain.filter(exchange);
	}

	private Mono<Void> tooLarge(ServerWebExchange exchange) {
		return this.problems.refuse(exchange, ErrorCode.BODY_TOO_LARGE,
				"The request body is larger than the limit of " + this.maxBody + " bytes.");
	}

	/**
	 * Reads a body of unknown length up to the limit, then hands the handler what was read. Past the limit the
	 * read fails with a {@link org.springframework.core.io.buffer.DataBufferLimitException}, which the problem
	 * handler answers 413 {@code BODY_TOO_LARGE}. The buffer is released when the request ends unless the
	 * handler took it.
	 */
	private Mono<Void> readBounded(ServerWebExchange exchange, WebFilterChain chain) {
		AtomicReference<DataBuffer> pending = new AtomicReference<>();
		ServerHttpRequest buffered = new ServerHttpRequestDecorator(exchange.getRequest()) {
			@Override
			public Flux<DataBuffer> getBody() {
				return Flux.defer(() -> Mono.justOrEmpty(pending.getAndSet(null)));
			}
		};
		return DataBufferUtils.join(exchange.getRequest().getBody(), this.maxBody)
			.doOnNext(pending::set)
			.then(Mono.defer(() -> chain.filter(exchange.mutate().request(buffered).build())))
			.doFinally((signal) -> {
				DataBuffer left = pending.getAndSet(null);
				if (left != null) {
					DataBufferUtils.release(left);
				}
			});
	}

	private static long targetLength(ServerHttpRequest request) {
		String path = request.getURI().getRawPath();
		String query = request.getURI().getRawQuery();
		return ((path != null) ? path.length() : 0) + ((query != null) ? query.length() + 1 : 0);
	}

	private static long headerLength(HttpHeaders headers) {
		long[] total = { 0 };
		headers.forEach((name, values) -> values
			.forEach((value) -> total[0] += name.length() + value.length() + HEADER_LINE_OVERHEAD));
		return total[0];
	}

}
