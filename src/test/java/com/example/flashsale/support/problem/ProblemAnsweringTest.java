package com.example.flashsale.support.problem;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/api.md "Errors": a handler's problem is answered where it leaves the handler, so no error signal
 * crosses the filter chain (its checkpoints cost the sold-out path CPU), and the answer is the one
 * {@link ProblemExceptionHandler} writes.
 */
class ProblemAnsweringTest {

	private final ProblemWriter writer = new ProblemWriter(JsonMapper.builder().build());

	private final ProblemAnswering filter = new ProblemAnswering(new ProblemExceptionHandler(this.writer));

	@Test
	void aHandlersProblemCompletesTheChainWithTheProblemDetail() {
		MockServerWebExchange exchange = claim();
		StepVerifier.create(this.filter.filter(exchange,
				(ex) -> Mono.error(new ProblemException(ErrorCode.COUPON_SOLD_OUT, "Coupon 7 is sold out."))))
			.expectComplete()
			.verify(Duration.ofSeconds(5));

		MockServerWebExchange expected = claim();
		new ProblemExceptionHandler(this.writer)
			.handle(expected, new ProblemException(ErrorCode.COUPON_SOLD_OUT, "Coupon 7 is sold out."))
			.block(Duration.ofSeconds(5));
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.GONE);
		assertThat(exchange.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(body(exchange)).contains("\"code\":\"COUPON_SOLD_OUT\"").isEqualTo(body(expected));
	}

	@Test
	void otherFailuresAndProblemsAfterTheAnswerStartedAreLeftToTheExceptionHandler() {
		IllegalStateException unexpected = new IllegalStateException("boom");
		StepVerifier.create(this.filter.filter(claim(), (ex) -> Mono.error(unexpected)))
			.expectErrorSatisfies((error) -> assertThat(error).isSameAs(unexpected))
			.verify(Duration.ofSeconds(5));

		MockServerWebExchange committed = claim();
		ProblemException late = new ProblemException(ErrorCode.COUPON_SOLD_OUT, "late");
		StepVerifier.create(this.filter.filter(committed,
				(ex) -> ex.getResponse().setComplete().then(Mono.error(late))))
			.expectErrorSatisfies((error) -> assertThat(error).isSameAs(late))
			.verify(Duration.ofSeconds(5));
	}

	private static MockServerWebExchange claim() {
		return MockServerWebExchange.from(MockServerHttpRequest.post("/api/coupons/7/issue"));
	}

	private static String body(MockServerWebExchange exchange) {
		return exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5));
	}

}
