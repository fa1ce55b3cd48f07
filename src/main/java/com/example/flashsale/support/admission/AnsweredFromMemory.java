package com.example.flashsale.support.admission;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;

/**
 * A feature that answers some requests from this instance's memory alone, with no Redis or database call
 * (a coupon event known sold out: docs/operations.md "Admission: rate limits, load shedding, sold out from memory"). {@link RateLimits} lets such a request
 * through without taking a token: its bucket would cost Redis round trips for an answer that costs none,
 * and refusing it 429 would only change which refusal the caller gets.
 */
public interface AnsweredFromMemory {

	/** Whether a request with {@code method} on {@code path} will be answered from memory now. */
	boolean answersFromMemory(HttpMethod method, PathContainer path);

}
