package com.example.flashsale.order;

/**
 * A finished {@code POST /api/orders} answer as it is stored and replayed byte for byte: the HTTP status
 * and the UTF-8 JSON body ({@code application/json} for 2xx, {@code application/problem+json} otherwise).
 */
record OrderOutcome(int status, byte[] body) {

	/** Whether the body is a problem detail. */
	boolean isProblem() {
		return this.status >= 400;
	}

}
