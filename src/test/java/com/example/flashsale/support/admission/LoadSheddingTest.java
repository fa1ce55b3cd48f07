package com.example.flashsale.support.admission;

import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import com.example.flashsale.support.problem.ProblemWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A permit of the load shedding is given back when the answer is committed, not when its last byte has
 * been flushed (docs/api.md "Load shedding"): a client that sends its next request on receiving an answer
 * finds the permit free, so a client holding exactly the cap's number of connections is never refused. A
 * request paced elsewhere (a waiting room's admitted holder) passes a full cap.
 */
class LoadSheddingTest {

	/** Stands for a waiting room: a request with this header was paced already. */
	private static final String PACED = "X-Paced-In-Test";

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final LoadShedding shedding = shedding(new StaticListableBeanFactory(
			Map.of("paced", (PacedElsewhere) (request) -> request.getHeaders().containsHeader(PACED)))
		.getBeanProvider(PacedElsewhere.class));

	private LoadShedding shedding(ObjectProvider<PacedElsewhere> paced) {
		return new LoadShedding(
				new LoadSheddingProperties(true,
						Map.of("coupon-issue", new LoadSheddingProperties.Route("POST", "/api/coupons/{couponId}/issue", 1))),
				new ProblemWriter(JsonMapper.builder().build()), new AdmissionMetrics(this.meters), this.meters, paced);
	}

	@Test
	void thePermitIsFreeOnceTheAnswerIsCommittedAndTakenOnlyOnce() {
		Sinks.Empty<Void> bodyFlushed = Sinks.empty();
		MockServerWebExchange first = claim();
		// the handler commits its answer, then the rest of the response takes a while to be written
		WebFilterChain committing = (exchange) -> exchange.getResponse().setComplete().then(bodyFlushed.asMono());
		Mono<Void> firstDone = this.shedding.filter(first, committing).cache();
		firstDone.subscribe();

		MockServerWebExchange second = answered(this.shedding, claim());
		assertThat(second.getResponse().getStatusCode()).as("the next request, after the first one's answer").isNotEqualTo(
				HttpStatus.SERVICE_UNAVAILABLE);

		MockServerWebExchange held = claim();
		Sinks.Empty<Void> never = Sinks.empty();
		this.shedding.filter(held, (exchange) -> never.asMono()).subscribe();
		MockServerWebExchange refused = answered(this.shedding, claim());
		assertThat(refused.getResponse().getStatusCode()).as("beyond the cap while one runs uncommitted")
			.isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(refused.getResponse().getBodyAsString().block()).contains("OVERLOADED");

		// the first request ends: its permit, given back at commit, is not given back twice
		bodyFlushed.tryEmitEmpty();
		firstDone.block();
		MockServerWebExchange stillRefused = answered(this.shedding, claim());
		assertThat(stillRefused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

		never.tryEmitEmpty();
		MockServerWebExchange after = answered(this.shedding, claim());
		assertThat(after.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
	}

	@Test
	void aRequestPacedElsewherePassesAFullCapAndTakesAFreePermit() {
		// a paced request takes the free permit, so the next plain one is refused
		Sinks.Empty<Void> never = Sinks.empty();
		this.shedding.filter(pacedClaim(), (exchange) -> never.asMono()).subscribe();
		MockServerWebExchange refused = answered(this.shedding, claim());
		assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

		// the cap is full: a paced one still runs, and counts
		MockServerWebExchange paced = pacedClaim();
		boolean[] ran = { false };
		this.shedding.filter(paced, (exchange) -> {
			ran[0] = true;
			return exchange.getResponse().setComplete();
		}).block();
		assertThat(ran[0]).isTrue();
		assertThat(paced.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(this.meters.counter(AdmissionMetrics.PACED, "route", "coupon-issue").count()).isEqualTo(1);

		// passing without a permit gave none back: the cap is still full for plain requests
		MockServerWebExchange stillRefused = answered(this.shedding, claim());
		assertThat(stillRefused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		never.tryEmitEmpty();
		MockServerWebExchange after = answered(this.shedding, claim());
		assertThat(after.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
	}

	@Test
	void withoutAFeatureThatPacesEveryRequestBeyondTheCapIsRefused() {
		LoadShedding plain = shedding(new StaticListableBeanFactory().getBeanProvider(PacedElsewhere.class));
		Sinks.Empty<Void> never = Sinks.empty();
		plain.filter(claim(), (exchange) -> never.asMono()).subscribe();
		MockServerWebExchange refused = answered(plain, pacedClaim());
		assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		never.tryEmitEmpty();
	}

	/** {@code exchange} sent through {@code shedding} to a handler that answers at once; the exchange, answered. */
	private static MockServerWebExchange answered(LoadShedding shedding, MockServerWebExchange exchange) {
		shedding.filter(exchange, (e) -> e.getResponse().setComplete()).block();
		return exchange;
	}

	private static MockServerWebExchange pacedClaim() {
		return MockServerWebExchange.from(MockServerHttpRequest.post("/api/coupons/7/issue").header(PACED, "yes"));
	}

	private static MockServerWebExchange claim() {
		return MockServerWebExchange.from(MockServerHttpRequest.post("/api/coupons/7/issue"));
	}

}
