package com.example.flashsale.support.problem;

import java.util.Map;

/**
 * A failure the client is told about as an RFC 9457 problem detail with a stable {@link ErrorCode}.
 * Thrown (or signalled as a {@code Mono.error}) anywhere below a handler; {@link ProblemExceptionHandler}
 * turns it into the response. Carries no stack trace: it is an answer, not a bug.
 */
public class ProblemException extends RuntimeException {

	private final ErrorCode code;

	private final Map<String, Object> members;

	/**
	 * @param code the problem's code and status
	 * @param detail a human explanation specific to this occurrence
	 */
	public ProblemException(ErrorCode code, String detail) {
		this(code, detail, Map.of());
	}

	/**
	 * @param code the problem's code and status
	 * @param detail a human explanation specific to this occurrence
	 * @param members extension members of the problem body, after {@code code} (RFC 9457 section 3.2), for a
	 * client to act on without reading the detail, e.g. {@code roomId}
	 */
	public ProblemException(ErrorCode code, String detail, Map<String, Object> members) {
		super(detail, null, false, false);
		this.code = code;
		this.members = Map.copyOf(members);
	}

	/** The problem's code. */
	public ErrorCode code() {
		return this.code;
	}

	/** The problem body's extension members; empty for most problems. */
	public Map<String, Object> members() {
		return this.members;
	}

	/** A 400 {@link ErrorCode#INVALID_REQUEST} with the given detail. */
	public static ProblemException invalid(String detail) {
		return new ProblemException(ErrorCode.INVALID_REQUEST, detail);
	}

}
