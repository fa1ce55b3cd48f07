package com.example.flashsale;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * The contract test of docs/api.md "OpenAPI": a filter on the shared {@code WebTestClient} of every
 * {@link IntegrationTest} that validates every response to an {@code /api/**} request against the
 * service's own {@code /v3/api-docs} with Atlassian's swagger-request-validator: the status must be
 * documented for the operation, the {@code Content-Type} one the operation declares for it, and the body
 * valid against its schema (problem details included: their {@code code} must be one the document lists
 * for that status). A violation fails the test that made the request. Not judged here: requests to paths or
 * methods the document does not have (the 404 / 405 tests; {@code OpenApiDocumentTest} proves every route
 * is documented) and the bodies of server-sent event streams (read by their own tests as they come).
 */
public final class OpenApiContract implements ExchangeFilterFunction {

	/** Reports of the validator that concern the request's route, not the response. */
	private static final Set<String> ROUTING = Set.of("validation.request.path.missing",
			"validation.request.operation.notAllowed", "validation.response.path.missing",
			"validation.response.operation.notAllowed");

	private static final Map<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();

	private static final AtomicInteger VALIDATED = new AtomicInteger();

	/** How many responses were validated in this JVM so far. */
	public static int validated() {
		return VALIDATED.get();
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		String path = request.url().getRawPath();
		if (!path.startsWith("/api/")) {
			return next.exchange(request);
		}
		// on the caller's thread (never an event loop): the first request of a server loads its document
		OpenApiInteractionValidator validator = validator(request.url());
		Request.Method method = Request.Method.valueOf(request.method().name());
		return next.exchange(request).flatMap((response) -> {
			MediaType type = response.headers().contentType().orElse(null);
			if (type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
				return Mono.fromCallable(() -> check(validator, method, path, response, null, true))
					.subscribeOn(Schedulers.boundedElastic());
			}
			return response.bodyToMono(byte[].class)
				.defaultIfEmpty(new byte[0])
				.publishOn(Schedulers.boundedElastic())
				.map((body) -> check(validator, method, path, response, body, false));
		});
	}

	private static ClientResponse check(OpenApiInteractionValidator validator, Request.Method method, String path,
			ClientResponse response, byte[] body, boolean stream) {
		SimpleResponse.Builder answer = SimpleResponse.Builder.status(response.statusCode().value());
		response.headers().asHttpHeaders().forEach((name, values) -> answer.withHeader(name, values));
		String text = (body != null) ? new String(body, StandardCharsets.UTF_8) : null;
		if (text != null && !text.isEmpty()) {
			answer.withBody(text);
		}
		List<String> violations = violations(validator, method, path, answer.build(), stream);
		if (!violations.isEmpty()) {
			throw new AssertionError("The answer to " + method + " " + path + " breaks the OpenAPI document: "
					+ String.join("; ", violations) + "\nstatus " + response.statusCode().value() + ", body: " + text);
		}
		VALIDATED.incrementAndGet();
		if (body == null) {
			return response;
		}
		return response.mutate().body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))).build();
	}

	/**
	 * What is wrong with an answer of the service at {@code base} to {@code method path}, as the filter
	 * judges it; empty when nothing is.
	 */
	public static List<String> violations(String base, String method, String path, int status, String contentType,
			String body) {
		SimpleResponse.Builder answer = SimpleResponse.Builder.status(status).withContentType(contentType);
		if (body != null) {
			answer.withBody(body);
		}
		return violations(validator(URI.create(base + path)), Request.Method.valueOf(method), path, answer.build(), false);
	}

	private static List<String> violations(OpenApiInteractionValidator validator, Request.Method method, String path,
			SimpleResponse response, boolean stream) {
		ValidationReport report = validator.validateResponse(path, method, response);
		return report.getMessages()
			.stream()
			.filter((message) -> message.getLevel() == ValidationReport.Level.ERROR)
			.filter((message) -> !ROUTING.contains(message.getKey()))
			.filter((message) -> !(stream && message.getKey().equals("validation.response.body.missing")))
			.map((message) -> message.getKey() + ": " + message.getMessage()
					+ (message.getNestedMessages().isEmpty() ? "" : " " + message.getNestedMessages()))
			.toList();
	}

	private static OpenApiInteractionValidator validator(URI url) {
		String base = url.getScheme() + "://" + url.getAuthority();
		return VALIDATORS.computeIfAbsent(base, (server) -> OpenApiInteractionValidator
			.createForInlineApiSpecification(document(server))
			.build());
	}

	/** The OpenAPI document the server at {@code base} serves. */
	static String document(String base) {
		try {
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create(base + "/v3/api-docs")).build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new IllegalStateException("GET /v3/api-docs answered " + response.statusCode());
			}
			return response.body();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
