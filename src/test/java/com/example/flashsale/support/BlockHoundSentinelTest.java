package com.example.flashsale.support;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Proves BlockHound is installed in the test JVM: a blocking call on a non-blocking thread fails. */
class BlockHoundSentinelTest {

	@Test
	void blockingInsideAPipelineOnANonBlockingThreadFails() {
		Mono<Integer> blocking = Mono.fromCallable(() -> {
			Thread.sleep(1);
			return 1;
		}).subscribeOn(Schedulers.parallel());

		StepVerifier.create(blocking)
			.expectError(BlockingOperationError.class)
			.verify(Duration.ofSeconds(5));
	}

}
