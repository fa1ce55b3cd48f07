package com.example.flashsale.support.problem;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

import org.springframework.core.annotation.Order;
import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Turns every failure that reaches the web layer into a problem detail (docs/api.md "Errors"): a
 * {@link ProblemException} as it is, bad input (unreadable body, wrong types) as 400 {@code INVALID_REQUEST},
 * a body over the codecs' limit as 413 {@code BODY_TOO_LARGE} (the connection closed after it), routing
 * errors as their 4xx, an unreachable Redis or database as 503 {@code SERVICE_UNAVAILABLE} with
 * {@code Retry-After}, and anything else as a logged 500. Runs before Spring Boot's default handler.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

	private static final Log logger = LogFactory.getLog(ProblemExceptionHandler.class);

	/** The longest member path a detail shows: member names come from the client. */
	private static final int MAX_MEMBER_SHOWN = 100;

	private final ProblemWriter writer;

	ProblemExceptionHandler(ProblemWriter writer) {
		this.writer = writer;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		if (ex instanceof ProblemException problem) {
			return this.writer.write(exchange, problem.code(), problem.getMessage(), problem.members());
		}
		if (isTooLarge(ex)) {
			return this.writer.refuse(exchange, ErrorCode.BODY_TOO_LARGE, "The request body is larger than the limit.");
		}
		if (isBadInput(ex)) {
			return this.writer.write(exchange, ErrorCode.INVALID_REQUEST, badInputDetail(ex));
		}
		if (ex instanceof InvalidMediaTypeException) {
			return this.writer.write(exchange, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "The Content-Type header is malformed.");
		}
		if (ex instanceof ResponseStatusException status) {
			return this.writer.write(exchange, codeOf(status.getStatusCode()), status.getReason());
		}
		if (isUnavailable(ex)) {
			logger.warn("Backend unavailable for " + exchange.getRequest().getPath() + ": " + ex + rootCause(ex));
			return this.writer.write(exchange, ErrorCode.SERVICE_UNAVAILABLE,
					"A backing service is unreachable; retry later.");
		}
		logger.error("Unexpected failure for " + exchange.getRequest().getMethod() + " "
				+ exchange.getRequest().getPath(), ex);
		return this.writer.write(exchange, ErrorCode.INTERNAL_ERROR, "Unexpected server error.");
	}

	private static boolean isTooLarge(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof DataBufferLimitException) {
				return true;
			}
		}
		return false;
	}

	private static boolean isBadInput(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof ServerWebInputException || t instanceof CodecException || t instanceof JacksonException) {
				return true;
			}
		}
		return false;
	}

	private static String badInputDetail(Throwable ex) {
		if (ex instanceof ServerWebInputException input && input.getReason() != null
				&& !(input.getCause() instanceof CodecException)) {
			return input.getReason();
		}
		String member = member(ex);
		return "Request body is not valid JSON of the expected shape" + (member.isEmpty() ? "." : " at '" + member + "'.");
	}

	/**
	 * Where in the body the mapping failed, as {@code items[0].productId}; empty when unknown (malformed JSON).
	 * Built from the member names alone: Jackson's own message names the service's classes.
	 */
	private static String member(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
				StringBuilder path = new StringBuilder();
				for (JacksonException.Reference reference : jackson.getPath()) {
					if (reference.getPropertyName() != null) {
						path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
					}
					else if (reference.getIndex() >= 0) {
						path.append('[').append(reference.getIndex()).append(']');
					}
				}
				return (path.length() > MAX_MEMBER_SHOWN) ? path.substring(0, MAX_MEMBER_SHOWN) + "..." : path.toString();
			}
		}
		return "";
	}

	private static ErrorCode codeOf(HttpStatusCode status) {
		return switch (status.value()) {
			case 404 -> ErrorCode.NOT_FOUND;
			case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
			case 406 -> ErrorCode.NOT_ACCEPTABLE;
			case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
			case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
			default -> status.is4xxClientError() ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL_ERROR;
		};
	}

	/**
	 * True when the cause chain says Redis or the database could not be reached (connection refused or
	 * lost, resource failures, timeouts, pool exhausted, a command Lettuce refused to send). Errors the database reports about a statement are not that: a
	 * retry would fail the same way, so they stay 500s to be fixed, not 503s to be retried.
	 */
	static boolean isUnavailable(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			// Lettuce's plain RedisException (never a subclass: those are replies of Redis) is its refusal to
			// send: not connected, connection closed, or its request queue full
			if (t.getClass() == RedisException.class) {
				return true;
			}
			if (t instanceof RedisConnectionFailureException || t instanceof QueryTimeoutException
					|| t instanceof TransientDataAccessResourceException || t instanceof RedisConnectionException
					|| t instanceof RedisCommandTimeoutException || t instanceof R2dbcTransientResourceException
					|| t instanceof R2dbcTimeoutException || t instanceof IOException || t instanceof TimeoutException
					|| t instanceof R2dbcNonTransientResourceException || t instanceof DataAccessResourceFailureException) {
				return true;
			}
		}
		return false;
	}

	/** The innermost cause, when there is one: a wrapper's own message ("Redis exception") says nothing. */
	private static String rootCause(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root != ex) ? " (cause: " + root + ")" : "";
	}

}
