package com.example.flashsale.support.reactor;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs work that must not stop half-way when its caller goes away (a client hanging up mid-request):
 * the work is subscribed on its own and the caller only watches the outcome, so cancelling the returned
 * {@code Mono} cancels the watching, never the work. Used where a decision has side effects in Redis
 * and MySQL that belong together (a coupon claim, a charge holding the user's lock).
 */
public final class RunToCompletion {

	private RunToCompletion() {
	}

	/**
	 * A {@code Mono} that, per subscription, starts {@code work} detached from that subscription and
	 * relays its value, error or completion.
	 */
	public static <T> Mono<T> of(Supplier<Mono<T>> work) {
		return Mono.defer(() -> {
			Sinks.One<T> outcome = Sinks.one();
			work.get().subscribe(outcome::tryEmitValue, outcome::tryEmitError, outcome::tryEmitEmpty);
			return outcome.asMono();
		});
	}

}
