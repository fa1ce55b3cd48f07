package com.example.flashsale.support.web;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every request gets one access log line with method, path, the status really sent, the time and the
 * caller's JWT {@code sub} (docs/architecture.md "Access log"); a refused token has no user.
 */
@ExtendWith(OutputCaptureExtension.class)
class AccessLogApiTest extends IntegrationTest {

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	@BeforeEach
	void logRequests() {
		this.logging.setLogLevel(AccessLog.LOGGER, LogLevel.INFO);
	}

	@AfterEach
	void quietAgain() {
		this.logging.setLogLevel(AccessLog.LOGGER, LogLevel.WARN);
	}

	@Test
	void logsMethodPathStatusTimeAndTheCaller(CapturedOutput output) {
		// the requests are sent again until their lines show (the log writes on its own thread, and drops lines
		// past its cap of 200 a second, which other contexts' background work in this JVM may have used up)
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1100)).untilAsserted(() -> {
			this.client.get().uri("/api/products").headers((h) -> h.setBearerAuth(userToken(424_242)))
				.exchange().expectStatus().isOk();
			this.client.get().uri("/api/products/999999999").headers((h) -> h.setBearerAuth(userToken(424_243)))
				.exchange().expectStatus().isNotFound();
			this.client.get().uri("/api/balance").headers((h) -> h.setBearerAuth("not-a-token"))
				.exchange().expectStatus().isUnauthorized();
			assertThat(output.getOut()).containsPattern("GET /api/products 200 \\d+ms user=424242")
				.containsPattern("GET /api/products/999999999 404 \\d+ms user=424243")
				.containsPattern("GET /api/balance 401 \\d+ms user=-");
		});
	}

}
