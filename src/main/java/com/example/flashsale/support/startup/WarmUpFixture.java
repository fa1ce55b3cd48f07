package com.example.flashsale.support.startup;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * A feature's part of the startup warm-up ({@link WarmUp}, docs/operations.md "Cold start"): what it sets
 * up in its reserved namespace ({@link WarmUpIdentity}) before the requests, the requests that drive its
 * hot paths, and what it removes afterwards. The calls may only be answered with refusals or reads: a
 * fixture never creates, changes or publishes a user's coupon, product, balance, order or outbox event,
 * and {@link #cleanUp()} removes whatever its calls left in Redis or MySQL under the reserved ids.
 */
public interface WarmUpFixture {

	/** Sets up the reserved state the calls need (e.g. a sold-out synthetic coupon event in Redis). */
	default Mono<Void> prepare() {
		return Mono.empty();
	}

	/** The requests to send, repeated round-robin for the warm-up's duration. */
	List<WarmUpCall> calls();

	/**
	 * Removes what {@link #prepare()} and the calls left under the reserved ids.
	 * @param sentKeys every Idempotency-Key the calls sent (empty before any call, e.g. in {@link #prepare()})
	 */
	default Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		return Mono.empty();
	}

}
