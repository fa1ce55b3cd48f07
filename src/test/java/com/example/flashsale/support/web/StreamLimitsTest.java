package com.example.flashsale.support.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StreamLimits} on its own: the per-user and per-instance caps, slots given back when a stream
 * ends or its client leaves (the HTTP side is in {@code OrderStatusStreamTest}).
 */
class StreamLimitsTest {

	private final StreamLimits limits = new StreamLimits(new StreamProperties(2, 3));

	@Test
	void theInstanceCapCountsEveryUsersStreamsAndASlotComesBackWhenAStreamEnds() {
		Disposable first = this.limits.limited(1, Flux.never()).subscribe();
		Disposable second = this.limits.limited(2, Flux.never()).subscribe();
		Disposable third = this.limits.limited(3, Flux.never()).subscribe();
		assertThat(this.limits.open()).isEqualTo(3);

		StepVerifier.create(this.limits.limited(4, Flux.never()))
			.expectErrorSatisfies((ex) -> assertThat(((ProblemException) ex).code()).isEqualTo(ErrorCode.TOO_MANY_STREAMS))
			.verify(Duration.ofSeconds(1));
		assertThat(this.limits.open()).isEqualTo(3);

		second.dispose();
		assertThat(this.limits.open()).isEqualTo(2);
		StepVerifier.create(this.limits.limited(4, Flux.just("event"))).expectNext("event").expectComplete().verify();
		assertThat(this.limits.open()).isEqualTo(2);
		first.dispose();
		third.dispose();
		assertThat(this.limits.open()).isZero();
	}

	@Test
	void theUserCapRefusesTheThirdStreamOfOneUserOnly() {
		Disposable first = this.limits.limited(7, Flux.never()).subscribe();
		Disposable second = this.limits.limited(7, Flux.never()).subscribe();

		StepVerifier.create(this.limits.limited(7, Flux.never()))
			.expectErrorSatisfies((ex) -> assertThat(((ProblemException) ex).code()).isEqualTo(ErrorCode.TOO_MANY_STREAMS))
			.verify(Duration.ofSeconds(1));
		assertThat(this.limits.open()).isEqualTo(2);
		Disposable other = this.limits.limited(8, Flux.never()).subscribe();
		assertThat(this.limits.open()).isEqualTo(3);

		first.dispose();
		Disposable again = this.limits.limited(7, Flux.never()).subscribe();
		assertThat(this.limits.open()).isEqualTo(3);
		second.dispose();
		other.dispose();
		again.dispose();
		assertThat(this.limits.open()).isZero();
	}

}
