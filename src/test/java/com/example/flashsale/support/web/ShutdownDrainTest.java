package com.example.flashsale.support.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShutdownDrain}, the first step of a graceful stop (docs/adr/0027): readiness goes down, open
 * event streams end (their clients reconnect elsewhere), new streams are refused with a 503. The whole
 * stop behind a load balancer is exercised by {@code load-tests/lb/rolling-restart.sh}.
 */
class ShutdownDrainTest {

	private final StreamLimits streams = new StreamLimits(new StreamProperties(5, 100));

	private final List<Object> published = new ArrayList<>();

	private final ShutdownDrain drain = new ShutdownDrain(this.published::add, this.streams,
			new ShutdownProperties(Duration.ZERO));

	@Test
	void stoppingSaysNotReadyEndsOpenStreamsAndRefusesNewOnes() {
		this.drain.start();
		assertThat(this.drain.isRunning()).isTrue();
		List<String> seen = new CopyOnWriteArrayList<>();
		AtomicBoolean ended = new AtomicBoolean();
		this.streams.limited(1, Flux.just("first").concatWith(Flux.never()))
			.subscribe(seen::add, (ex) -> seen.add("error " + ex), () -> ended.set(true));
		assertThat(seen).containsExactly("first");
		assertThat(this.streams.open()).isOne();
		assertThat(this.drain.getPhase()).isEqualTo(Integer.MAX_VALUE);

		this.drain.stop();

		assertThat(ended).isTrue();
		assertThat(seen).containsExactly("first");
		assertThat(this.drain.isRunning()).isFalse();
		assertThat(this.streams.open()).isZero();
		assertThat(this.published).singleElement()
			.satisfies((event) -> assertThat(((AvailabilityChangeEvent<?>) event).getState())
				.isEqualTo(ReadinessState.REFUSING_TRAFFIC));
		StepVerifier.create(this.streams.limited(3, Flux.just("late")))
			.expectErrorSatisfies((ex) -> assertThat(((ProblemException) ex).code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE))
			.verify(Duration.ofSeconds(1));
		assertThat(this.streams.open()).isZero();
	}

	@Test
	void aStartAfterAStopTakesStreamsAndIsReadyAgain() {
		this.drain.start();
		this.drain.stop();
		StepVerifier.create(this.streams.limited(2, Flux.just("refused")))
			.expectError(ProblemException.class)
			.verify(Duration.ofSeconds(1));

		// Spring's lifecycle restart without a close (a paused test context that is used again)
		this.drain.start();

		StepVerifier.create(this.streams.limited(2, Flux.just("again"))).expectNext("again").verifyComplete();
		assertThat(this.streams.open()).isZero();
		assertThat(this.published).extracting((event) -> (Object) ((AvailabilityChangeEvent<?>) event).getState())
			.containsExactly(ReadinessState.REFUSING_TRAFFIC, ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void aNegativeDrainDelayIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new ShutdownProperties(Duration.ofSeconds(-1)));
	}

}
