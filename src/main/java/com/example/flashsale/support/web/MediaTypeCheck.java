package com.example.flashsale.support.web;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * Checks the media types of an {@code /api/**} request before its handler runs (docs/api.md "Strict
 * input"), so that a request the service cannot answer or read changes nothing:
 * <ul>
 * <li>406 {@code NOT_ACCEPTABLE} when {@code Accept} admits none of JSON, problem JSON and event streams
 * (the handlers would otherwise run, write, and then answer JSON anyway);</li>
 * <li>415 {@code UNSUPPORTED_MEDIA_TYPE} when a request with a body does not declare
 * {@code application/json} (or a {@code +json} type) in UTF-8: no {@code Content-Type}, another type, a
 * malformed one, or another charset (JSON between systems is UTF-8, RFC 8259; a mislabelled body is not
 * guessed at).</li>
 * </ul>
 * Runs after Spring Security, so an unauthenticated request is still a 401 first.
 */
@Component
class MediaTypeCheck implements WebFilter, Ordered {

	/** What the API answers: JSON, problem details, and the server-sent event streams. */
	private static final List<MediaType> PRODUCED = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON,
			MediaType.TEXT_EVENT_STREAM);

	private final ProblemWriter problems;

	MediaTypeCheck(ProblemWriter problems) {
		this.problems = problems;
	}

	/** After Spring Security's filter chain (-100), before the handlers. */
	@Override
	public int getOrder() {
		return -50;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!request.getPath().value().startsWith("/api/")) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = request.getHeaders();
		if (!acceptable(headers)) {
			return this.problems.write(exchange, ErrorCode.NOT_ACCEPTABLE,
					"The Accept header admits none of application/json, application/problem+json, text/event-stream.");
		}
		if (hasBody(headers) && !json(headers)) {
			return this.problems.write(exchange, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
					"A request body must be application/json in UTF-8, got Content-Type '"
							+ headers.getFirst(HttpHeaders.CONTENT_TYPE) + "'.");
		}
		return chain.filter(exchange);
	}

	private static boolean acceptable(HttpHeaders headers) {
		List<String> values = headers.getValuesAsList(HttpHeaders.ACCEPT);
		if (values.isEmpty()) {
			return true;
		}
		try {
			return MediaType.parseMediaTypes(values).stream()
				.filter((accepted) -> accepted.getQualityValue() > 0)
				.anyMatch((accepted) -> PRODUCED.stream().anyMatch(accepted::isCompatibleWith));
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

	private static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	private static boolean json(HttpHeaders headers) {
		String value = headers.getFirst(HttpHeaders.CONTENT_TYPE);
		if (value == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(value);
			boolean json = "application".equals(type.getType())
					&& ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
			Charset charset = type.getCharset();
			return json && (charset == null || StandardCharsets.UTF_8.equals(charset));
		}
		catch (IllegalArgumentException ex) {
			// InvalidMediaTypeException, or an unknown charset
			return false;
		}
	}

}
