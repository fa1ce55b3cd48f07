package com.example.flashsale.support.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes RFC 9457 {@code application/problem+json} bodies: {@code type, title, status, detail, instance}
 * plus the stable {@code code} property (docs/api.md "Errors"). Shared by the exception handler and the
 * security entry points so every error looks the same.
 */
@Component
public class ProblemWriter {

	/** Seconds a client should wait before retrying a 503 (sent as {@code Retry-After}). */
	static final String RETRY_AFTER_SECONDS = "1";

	/** Seconds a client refused a stream should wait before opening one again ({@code TOO_MANY_STREAMS}). */
	static final String STREAM_RETRY_AFTER_SECONDS = "5";

	private final JsonMapper jsonMapper;

	/** Writes problem bodies with {@code jsonMapper} (the application's, or a plain one in unit tests). */
	public ProblemWriter(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	/**
	 * Writes the problem for {@code code} with {@code detail} as the response of {@code exchange}.
	 * Adds {@code Retry-After} to a 503 and to a 429 {@code TOO_MANY_STREAMS}; a 429 {@code RATE_LIMITED}
	 * carries the one its rate limiter set (the seconds until its bucket has a token again).
	 */
	public Mono<Void> write(ServerWebExchange exchange, ErrorCode code, String detail) {
		return write(exchange, code, detail, Map.of());
	}

	/**
	 * As {@link #write(ServerWebExchange, ErrorCode, String)}, with extension members after {@code code}.
	 * @param members further members of the body (RFC 9457 section 3.2), e.g. {@code roomId}
	 */
	public Mono<Void> write(ServerWebExchange exchange, ErrorCode code, String detail, Map<String, Object> members) {
		return drainRequest(exchange).then(Mono.defer(() -> send(exchange, code, detail, members)));
	}

	/**
	 * Answers the problem for {@code code} without reading the rest of the request, and closes the
	 * connection after the answer ({@code Connection: close}): for a request refused for its size (docs/api.md
	 * "Request limits"), whose remainder is not worth reading and would otherwise be taken for the next
	 * request on a keep-alive connection.
	 */
	public Mono<Void> refuse(ServerWebExchange exchange, ErrorCode code, String detail) {
		exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
		return send(exchange, code, detail, Map.of());
	}

	/**
	 * Reads what is left of the request before answering. A problem found before the request was read to
	 * its end (a bad query parameter, a missing token) would otherwise be answered while the request's
	 * last part is still on its way, and the keep-alive connection could then take the next request for
	 * that one's remainder and never answer it (seen with reactor-netty: about one run in five of
	 * {@code BalanceApiTest}, a request after such a 400 timing out). A body that was already read, or is
	 * being read, is left alone.
	 */
	private static Mono<Void> drainRequest(ServerWebExchange exchange) {
		return exchange.getRequest().getBody().doOnNext(DataBufferUtils::release).onErrorResume((ex) -> Mono.empty()).then();
	}

	private Mono<Void> send(ServerWebExchange exchange, ErrorCode code, String detail, Map<String, Object> members) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(code.status());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		if (code == ErrorCode.SERVICE_UNAVAILABLE || code == ErrorCode.OVERLOADED) {
			headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
		}
		else if (code == ErrorCode.TOO_MANY_STREAMS) {
			headers.set(HttpHeaders.RETRY_AFTER, STREAM_RETRY_AFTER_SECONDS);
		}
		byte[] bytes = render(code, detail, exchange.getRequest().getPath().value(), members);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

	/**
	 * The problem body for {@code code}, as {@link #write} sends it, for answers that are stored and
	 * replayed (idempotent orders).
	 * @param instance the request path
	 * @param extra further members after {@code code} (e.g. {@code orderId})
	 * @return UTF-8 JSON
	 */
	public byte[] render(ErrorCode code, String detail, String instance, Map<String, Object> extra) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		body.put("title", code.title());
		body.put("status", code.status().value());
		body.put("detail", detail);
		body.put("instance", instance);
		body.put("code", code.name());
		body.putAll(extra);
		return this.jsonMapper.writeValueAsBytes(body);
	}

}
