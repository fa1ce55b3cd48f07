package com.example.flashsale.support.web;

import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * What every handler reads from a request, in one style: each method returns a {@code Mono} that
 * signals bad input as a 400 {@code INVALID_REQUEST} problem (never a 500, never a thrown exception):
 * numeric path ids, a JSON body checked with its Bean Validation constraints, bounded query parameters,
 * a keyset page, and the caller's user id from the JWT (its {@code sub} by default) (docs/api.md "Authentication": the
 * caller's id never comes from the path or body).
 */
@Component
public class Requests {

	private final Validator validator;

	Requests(Validator validator) {
		this.validator = validator;
	}

	/**
	 * The path variable {@code name} as a positive {@code long} in its canonical spelling ({@link Ids}); 400
	 * when it is anything else.
	 */
	public Mono<Long> pathId(ServerRequest request, String name) {
		return Mono.fromCallable(() -> positive(request.pathVariable(name), "Path variable '" + name + "'"));
	}

	/**
	 * The query parameter {@code name} as an integer in {@code 1..max} in its canonical spelling ({@link Ids}),
	 * {@code fallback} when absent.
	 * @return the value; 400 when present but not such an integer
	 */
	public Mono<Integer> boundedInt(ServerRequest request, String name, int fallback, int max) {
		return Mono.fromCallable(() -> {
			long value = request.queryParam(name).map((raw) -> positive(raw, "Query parameter '" + name + "'"))
				.orElse((long) fallback);
			if (value > max) {
				throw ProblemException.invalid(name + " must be 1 to " + max + ", got " + value + ".");
			}
			return (int) value;
		});
	}

	/**
	 * The keyset page asked for by {@code cursor} (optional, positive) and {@code size} (1..{@code maxSize},
	 * {@code defaultSize} when absent).
	 * @return the page request; 400 when either is malformed or out of range
	 */
	public Mono<KeysetPage.Request> page(ServerRequest request, int defaultSize, int maxSize) {
		return boundedInt(request, "size", defaultSize, maxSize)
			.map((size) -> new KeysetPage.Request(
					request.queryParam("cursor").map((raw) -> positive(raw, "Query parameter 'cursor'")).orElse(Long.MAX_VALUE),
					size));
	}

	private static long positive(String raw, String what) {
		long value = Ids.parse(raw);
		if (value > 0) {
			return value;
		}
		throw ProblemException.invalid(what + " must be a positive integer in ASCII digits without sign or leading zero, got '"
				+ raw + "'.");
	}

	/**
	 * The JSON body read as {@code type} and checked with its Bean Validation constraints.
	 * @return the body; 400 when it is missing, unreadable or invalid (every violated field listed)
	 */
	public <T> Mono<T> body(ServerRequest request, Class<T> type) {
		return request.bodyToMono(type)
			.switchIfEmpty(Mono.error(() -> ProblemException.invalid("A JSON request body is required.")))
			.handle((body, sink) -> {
				Set<ConstraintViolation<T>> violations = this.validator.validate(body);
				if (violations.isEmpty()) {
					sink.next(body);
				}
				else {
					sink.error(ProblemException.invalid(violations.stream()
						.map((v) -> v.getPropertyPath() + ": " + v.getMessage())
						.sorted()
						.collect(Collectors.joining("; "))));
				}
			});
	}

	/**
	 * The authenticated caller's user id: the token's {@code app.security.jwt.user-id-claim} ({@code sub} by
	 * default), validated as a positive integer when the token was decoded.
	 * @return the id; 401 when the request is not authenticated
	 */
	public Mono<Long> userId(ServerRequest request) {
		return request.principal()
			.cast(JwtAuthenticationToken.class)
			.map((token) -> Long.parseLong(token.getName()))
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.UNAUTHORIZED, "Authentication required.")));
	}

}
