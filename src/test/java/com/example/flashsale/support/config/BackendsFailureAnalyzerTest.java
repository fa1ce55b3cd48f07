package com.example.flashsale.support.config;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing to serve a backend: one sentence of what is missing, one of what to do, no stack trace. */
class BackendsFailureAnalyzerTest {

	@Test
	void saysWhatDoesNotAnswerAndWhatToDo() {
		BackendsUnavailableException failure = BackendsUnavailableException.nothingServes("127.0.0.1:3399/test", null);
		FailureAnalysis analysis = new BackendsFailureAnalyzer().analyze(new IllegalStateException(failure));

		assertThat(analysis.getDescription()).isEqualTo("No MySQL/MariaDB answers at 127.0.0.1:3399/test, no Docker engine "
				+ "answers, and this build has no embedded engines (the packaged jar never has them).");
		assertThat(analysis.getAction()).contains("DB_HOST/DB_PORT", "./mvnw spring-boot:run");
	}

}
