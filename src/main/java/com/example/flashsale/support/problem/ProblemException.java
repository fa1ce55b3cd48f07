package com.example.flashsale.support.problem;

/**
 * A failure the client is told about as an RFC 9457 problem detail with a stable {@link ErrorCode}.
 * Thrown (or signalled as a {@code Mono.error}) anywhere below a handler; {@link ProblemExceptionHandler}
 * turns it into the response. Carries no stack trace: it is an answer, not a bug.
 */
public class ProblemException extends RuntimeException {

	private final ErrorCode code;

	/**
	 * @param code the problem's code and status
	 * @param detail a human explanation specific to this occurrence
	 */
	public ProblemException(ErrorCode code, String detail) {
		super(detail, null, false, false);
		this.code = code;
	}

	/** The problem's code. */
	public ErrorCode code() {
		return this.code;
	}

	/** A 400 {@link ErrorCode#INVALID_REQUEST} with the given detail. */
	public static ProblemException invalid(String detail) {
		return new ProblemException(ErrorCode.INVALID_REQUEST, detail);
	}

}
