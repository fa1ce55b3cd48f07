package com.example.flashsale;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.support.security.TokenIssuer;

/**
 * Base of every test that needs the running service: one shared application context on a random port
 * against real MySQL/MariaDB and Redis ({@link TestInfrastructure}), with BlockHound installed by
 * {@code blockhound-junit-platform}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
@ActiveProfiles("test")
@Import(TestInfrastructure.class)
public abstract class IntegrationTest {

	/** Up to 1,000 connections at once, for tests that fire thousands of requests in parallel. */
	private static final ConnectionProvider PARALLEL_CONNECTIONS = ConnectionProvider.builder("parallel-tests")
		.maxConnections(1_000)
		.pendingAcquireMaxCount(-1)
		.build();

	/** The data platform the outbox relay delivers to: a real HTTP server in this JVM. */
	@DynamicPropertySource
	static void dataPlatform(DynamicPropertyRegistry registry) {
		registry.add("app.data-platform.base-url", () -> DataPlatformStub.get().baseUrl());
	}

	@Autowired
	protected WebTestClient client;

	@LocalServerPort
	protected int port;

	@Autowired
	protected TokenIssuer tokens;

	/** A bearer token for {@code userId} without roles. */
	protected String userToken(long userId) {
		return this.tokens.issue(userId, List.of(), Duration.ofHours(1));
	}

	/** A bearer token with the ADMIN role. */
	protected String adminToken() {
		return this.tokens.issue(1, List.of("ADMIN"), Duration.ofHours(1));
	}

	/** A client of the running service with up to 1,000 parallel connections. */
	protected WebClient parallelClient() {
		return WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(PARALLEL_CONNECTIONS)))
			.baseUrl("http://127.0.0.1:" + this.port)
			.build();
	}

	/** The status of {@code request}'s answer, its body discarded. */
	protected static Mono<Integer> status(WebClient.RequestHeadersSpec<?> request) {
		return request.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

	/** {@code POST path} with a JSON body and a bearer token. */
	protected WebTestClient.ResponseSpec postJson(String path, String token, String json) {
		return this.client.post().uri(path).headers((h) -> h.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	/** Asserts an RFC 9457 problem detail with the given status and stable {@code code}. */
	protected static void expectProblem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
		response.expectStatus().isEqualTo(status)
			.expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status").isEqualTo(status.value())
			.jsonPath("$.code").isEqualTo(code)
			.jsonPath("$.title").isNotEmpty()
			.jsonPath("$.detail").isNotEmpty();
	}

}
