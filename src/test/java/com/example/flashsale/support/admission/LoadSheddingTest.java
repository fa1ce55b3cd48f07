package com.example.flashsale.support.admission;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import com.example.flashsale.support.problem.ProblemWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A permit of the load shedding is given back when the answer is committed, not when its last byte has
 * been flushed (docs/api.md "Load shedding"): a client that sends its next request on receiving an answer
 * finds the permit free, so a client holding exactly the cap's number of connections is never refused.
 */
class LoadSheddingTest {

	private final LoadShedding shedding = new LoadShedding(
			new LoadSheddingProperties(true,
					Map.of("coupon-issue", new LoadSheddingProperties.Route("POST", "/api/coupons/{couponId}/issue", 1))),
			new ProblemWriter(JsonMapper.builder().build()), new AdmissionMetrics(new SimpleMeterRegistry()),
			new SimpleMeterRegistry());

	@Test
	void thePermitIsFreeOnceTheAnswerIsCommittedAndTakenOnlyOnce() {
		Sinks.Empty<Void> bodyFlushed = Sinks.empty();
		MockServerWebExchange first = claim();
		// the handler commits its answer, then the rest of the response takes a while to be written
		WebFilterChain committing = (exchange) -> exchange.getResponse().setComplete().then(bodyFlushed.asMono());
		Mono<Void> firstDone = this.shedding.filter(first, committing).cache();
		firstDone.subscribe();

		MockServerWebExchange second = claim();
		this.shedding.filter(second, (exchange) -> exchange.getResponse().setComplete()).block();
		assertThat(second.getResponse().getStatusCode()).as("the next request, after the first one's answer").isNotEqualTo(
				HttpStatus.SERVICE_UNAVAILABLE);

		MockServerWebExchange held = claim();
		Sinks.Empty<Void> never = Sinks.empty();
		this.shedding.filter(held, (exchange) -> never.asMono()).subscribe();
		MockServerWebExchange refused = claim();
		this.shedding.filter(refused, (exchange) -> exchange.getResponse().setComplete()).block();
		assertThat(refused.getResponse().getStatusCode()).as("beyond the cap while one runs uncommitted")
			.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(refused.getResponse().getBodyAsString().block()).contains("OVERLOADED");

		// the first request ends: its permit, given back at commit, is not given back twice
		bodyFlushed.tryEmitEmpty();
		firstDone.block();
		MockServerWebExchange stillRefused = claim();
		this.shedding.filter(stillRefused, (exchange) -> exchange.getResponse().setComplete()).block();
		assertThat(stillRefused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

		never.tryEmitEmpty();
		MockServerWebExchange after = claim();
		this.shedding.filter(after, (exchange) -> exchange.getResponse().setComplete()).block();
		assertThat(after.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
	}

	private static MockServerWebExchange claim() {
		return MockServerWebExchange.from(MockServerHttpRequest.post("/api/coupons/7/issue"));
	}

}
