package com.example.flashsale.support.web;

import reactor.netty.resources.LoopResources;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The event loops of the HTTP server and of the service's WebClients (docs/operations.md "Admission: rate
 * limits, load shedding, sold out from memory"): one thread of their own that only accepts connections, and
 * the usual one worker loop per core for the requests. Spring Boot's default accepts on a worker loop,
 * between the requests that loop serves: with 10,000 clients connecting at once on 2 cores, the kernel's
 * accept queue (somaxconn, 4096) overflowed while the loops were busy, the dropped handshakes were retried
 * a second or more later, and 23-28 requests of a 10 s crowd waited over 2 s; with the acceptor thread none
 * did and the queue never overflowed ({@code load-tests/wrk/crowd-10k.sh}). Replaces Spring Boot's
 * {@link ReactorResourceFactory}, which would otherwise be made with the default loops.
 */
@Configuration(proxyBeanMethods = false)
class HttpServerLoops {

	/** Loops named {@code http-*}: 1 acceptor ({@code http-select-*}), one worker per core, daemon threads. */
	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		ReactorResourceFactory factory = new ReactorResourceFactory();
		factory.setUseGlobalResources(false);
		factory.setLoopResourcesSupplier(() -> LoopResources.create("http", 1, LoopResources.DEFAULT_IO_WORKER_COUNT, true));
		return factory;
	}

}
