package com.example.flashsale.support.startup;

import java.util.List;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A feature's part of the startup warm-up ({@link WarmUp}, docs/operations.md "Cold start"): what it sets
 * up in its reserved namespace ({@link WarmUpIdentity}) before the requests, the requests that drive its
 * hot paths, and what it removes afterwards. The calls may only be answered with refusals or reads, and
 * its rehearsals write only inside transactions they roll back: a fixture never creates, changes or
 * publishes a user's coupon, product, balance, order or outbox event, and {@link #cleanUp} removes whatever
 * its calls and rehearsals left in Redis or MySQL.
 */
public interface WarmUpFixture {

	/** Sets up the reserved state the calls need (e.g. a sold-out synthetic coupon event in Redis). */
	default Mono<Void> prepare() {
		return Mono.empty();
	}

	/**
	 * The requests to send, repeated for the warm-up's duration: each entry gets a worker of its own (or
	 * several, when there are more workers than entries); a call listed twice gets twice the workers.
	 */
	List<WarmUpCall> calls();

	/**
	 * Paths that write, run in-process inside a transaction rolled back at the end of each run (a paid order,
	 * which no warm-up request may make), repeated by workers of their own alongside the calls for the
	 * warm-up's duration. Each supplier starts one run, which emits a label per unit of work done (counted
	 * with the calls' status codes, e.g. {@code PAID}).
	 */
	default List<Supplier<Flux<String>>> rehearsals() {
		return List.of();
	}

	/**
	 * Removes what {@link #prepare()}, the calls and the rehearsals left.
	 * @param sentKeys every Idempotency-Key the calls sent (empty before any call, e.g. in {@link #prepare()})
	 */
	default Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		return Mono.empty();
	}

}
