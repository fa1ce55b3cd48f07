package com.example.flashsale.support.web;

import org.junit.jupiter.api.Test;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HttpServerLoops}: the web server accepts connections on a thread of its own, not on a worker loop
 * between requests.
 */
class HttpServerLoopsTest extends IntegrationTest {

	@Test
	void theServerAcceptsOnAThreadOfItsOwnAndServesOnItsWorkerLoops() {
		this.client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();

		assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
			.anySatisfy((name) -> assertThat(name).startsWith("http-select-"))
			.anySatisfy((name) -> assertThat(name).matches("http-(epoll|nio|kqueue|io_uring)-\\d+"));
	}

}
