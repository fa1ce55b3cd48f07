package com.example.flashsale.support.web;

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
		try (AccessLog log = new AccessLog(new AccessLogProperties(true, 3, 100), clock::get, false, lines::add)) {
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
		try (AccessLog log = new AccessLog(new AccessLogProperties(true, 1_000, 2), clock::get, false, (line) -> {
		})) {
			assertThat(log.record("GET", "/a", 200, 0, null)).isTrue();
			assertThat(log.record("GET", "/b", 200, 0, null)).isTrue();
			assertThat(log.record("GET", "/c", 200, 0, null)).isFalse();
			assertThat(log.dropped()).isEqualTo(1);
			assertThat(log.drain()).isEqualTo(2);
			assertThat(log.record("GET", "/d", 200, 0, null)).isTrue();
		}
	}

}
