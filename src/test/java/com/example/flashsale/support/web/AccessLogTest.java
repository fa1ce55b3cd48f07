package com.example.flashsale.support.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log's rate cap and queue bound drop and count lines instead of waiting (docs/architecture.md "Access log"). */
class AccessLogTest {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void linesOverTheCapOfASecondAreDroppedAndCounted() {
		AtomicLong clock = new AtomicLong(5 * SECOND);
		List<String> lines = new ArrayList<>();
		try (AccessLog log = new AccessLog(new AccessLogProperties(true, 3, 100, Duration.ofSeconds(10)), clock::get, false,
				lines::add, lines::add)) {
			int admitted = 0;
			for (int i = 0; i < 10; i++) {
				admitted += log.record("GET", "/api/products", 200, 1_000_000, "1") ? 1 : 0;
			}
			assertThat(admitted).isEqualTo(3);
			assertThat(log.dropped()).isEqualTo(7);
			assertThat(log.drain()).isEqualTo(3);

			clock.addAndGet(SECOND);
			assertThat(log.record("POST", "/api/orders", 201, 2_000_000, "7")).isTrue();
			assertThat(log.dropped()).isEqualTo(7);
			assertThat(log.drain()).isEqualTo(1);
			assertThat(lines).contains("GET /api/products 200 1ms user=1", "POST /api/orders 201 2ms user=7",
					"access log: 7 lines dropped in the last second (cap 3 lines/s)");
		}
	}

	@Test
	void aFullQueueDropsInsteadOfWaiting() {
		AtomicLong clock = new AtomicLong();
		try (AccessLog log = new AccessLog(new AccessLogProperties(true, 1_000, 2, Duration.ofSeconds(10)), clock::get, false,
				(line) -> {
				}, (line) -> {
				})) {
			assertThat(log.record("GET", "/a", 200, 0, null)).isTrue();
			assertThat(log.record("GET", "/b", 200, 0, null)).isTrue();
			assertThat(log.record("GET", "/c", 200, 0, null)).isFalse();
			assertThat(log.dropped()).isEqualTo(1);
			assertThat(log.drain()).isEqualTo(2);
			assertThat(log.record("GET", "/d", 200, 0, null)).isTrue();
		}
	}

	@Test
	void aRequestUnansweredPastTheSlowBoundIsReportedOnceWhileItRunsAndItsLineIsWrittenOverTheCap() {
		AtomicLong clock = new AtomicLong(5 * SECOND);
		List<String> lines = new ArrayList<>();
		List<String> warnings = new ArrayList<>();
		try (AccessLog log = new AccessLog(new AccessLogProperties(true, 1, 100, Duration.ofSeconds(10)), clock::get,
				false, lines::add, warnings::add)) {
			AccessLog.InFlight charge = log.started("POST", "/api/balance/charge", () -> false);
			charge.user("5");
			AccessLog.InFlight stream = log.started("GET", "/api/orders/7/events", () -> true);
			AccessLog.InFlight quick = log.started("GET", "/api/products", () -> false);
			clock.addAndGet(SECOND);
			assertThat(log.finished(quick, 200)).isTrue();
			log.drain();
			assertThat(warnings).isEmpty();

			clock.addAndGet(10 * SECOND);
			log.drain();
			assertThat(warnings).containsExactly("request unanswered for 11,000 ms: POST /api/balance/charge user=5");
			clock.addAndGet(SECOND);
			log.drain();
			assertThat(warnings).hasSize(1);

			assertThat(log.record("GET", "/api/products", 200, 0, null)).isTrue();
			assertThat(log.record("GET", "/api/products", 200, 0, null)).isFalse();
			assertThat(log.finished(charge, 0)).isTrue();
			assertThat(log.finished(stream, 200)).isFalse();
			log.drain();
			assertThat(lines).contains("POST /api/balance/charge - 12000ms user=5");
			assertThat(lines).noneMatch((line) -> line.startsWith("GET /api/orders/7/events"));
		}
	}

}
