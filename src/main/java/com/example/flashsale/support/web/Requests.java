package com.example.flashsale.support.web;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * What every handler needs from a request, with bad input answered as 400 {@code INVALID_REQUEST}
 * instead of a 500: numeric path ids, a validated JSON body, and the caller's user id from the JWT
 * {@code sub} (SPEC section 3: the caller's id never comes from the path or body).
 */
@Component
public class Requests {

	private final Validator validator;

	Requests(Validator validator) {
		this.validator = validator;
		// Hibernate Validator reads its message bundles from the jar on the first violation it reports;
		// report one now, on the main thread, so no event-loop thread ever does that file I/O.
		validator.validate(new WarmUp(null));
	}

	/**
	 * The path variable {@code name} as a positive {@code long}.
	 * @throws ProblemException 400 when it is not a number, not positive or out of range
	 */
	public long pathId(ServerRequest request, String name) {
		return positive(request.pathVariable(name), "Path variable '" + name + "'");
	}

	/**
	 * The query parameter {@code name} as a positive {@code long}, if present.
	 * @throws ProblemException 400 when present but not a number, not positive or out of range
	 */
	public Optional<Long> positiveQueryParam(ServerRequest request, String name) {
		return request.queryParam(name).map((raw) -> positive(raw, "Query parameter '" + name + "'"));
	}

	private static long positive(String raw, String what) {
		try {
			long value = Long.parseLong(raw);
			if (value > 0) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw ProblemException.invalid(what + " must be a positive integer, got '" + raw + "'.");
	}

	/**
	 * The JSON body read as {@code type} and checked with its Bean Validation constraints.
	 * @return the body, or a {@link ProblemException} 400 when it is missing, unreadable or invalid
	 */
	public <T> Mono<T> body(ServerRequest request, Class<T> type) {
		return request.bodyToMono(type)
			.switchIfEmpty(Mono.error(() -> ProblemException.invalid("A JSON request body is required.")))
			.map(this::validate);
	}

	/**
	 * Checks {@code value} with its Bean Validation constraints.
	 * @throws ProblemException 400 listing every violated field
	 */
	public <T> T validate(T value) {
		Set<ConstraintViolation<T>> violations = this.validator.validate(value);
		if (!violations.isEmpty()) {
			String detail = violations.stream()
				.map((v) -> v.getPropertyPath() + ": " + v.getMessage())
				.sorted()
				.collect(Collectors.joining("; "));
			throw ProblemException.invalid(detail);
		}
		return value;
	}

	private record WarmUp(@NotNull String value) {
	}

	/** The authenticated caller's user id, the JWT {@code sub} (validated as numeric at decoding). */
	public Mono<Long> userId(ServerRequest request) {
		return request.principal()
			.cast(JwtAuthenticationToken.class)
			.map((token) -> Long.parseLong(token.getToken().getSubject()))
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.UNAUTHORIZED, "Authentication required.")));
	}

}
