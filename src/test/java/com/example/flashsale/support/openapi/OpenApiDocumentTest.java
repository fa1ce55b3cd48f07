package com.example.flashsale.support.openapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.web.reactive.function.server.RouterFunction;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.problem.ErrorCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The OpenAPI document (docs/api.md "OpenAPI") against the running service:
 * <ul>
 * <li>every route a {@code RouterFunction} bean registers is an operation of {@code /v3/api-docs}, and
 * every operation is a route (walked with WebFlux's {@code RouterFunctions.Visitor});</li>
 * <li>every operation is complete: an id, a summary, a tag, a success response, the bearer scheme unless
 * it is open, and for each problem status only codes of that status;</li>
 * <li>every route-specific code of docs/api.md "Errors" is in the document for its status and routes;</li>
 * <li>the committed {@code docs/openapi.json} is the document the service serves; with
 * {@code -Dopenapi.refresh=true} this test rewrites the file instead of failing.</li>
 * </ul>
 */
class OpenApiDocumentTest extends IntegrationTest {

	/** Where the document is committed. */
	static final Path COMMITTED = Path.of("docs", "openapi.json");

	private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	ApplicationContext context;

	@Test
	void everyRouteIsDocumentedAndEveryOperationIsARoute() {
		// every RouterFunction bean; the index page (GET /) is Spring Boot's welcome page, a handler mapping
		Set<String> routes = new TreeSet<>();
		Map<String, RouterFunction> beans = this.context.getBeansOfType(RouterFunction.class);
		beans.values().forEach((function) -> routes.addAll(RouteTable.entries(function)));
		assertThat(beans).as("RouterFunction beans").containsKeys("balanceRoutes", "couponRoutes", "orderRoutes",
				"outboxRoutes", "popularRoutes", "productRoutes", "consoleRoutes", "storefrontRoutes");
		assertThat(operations(document()).keySet()).as("operations of /v3/api-docs (left) vs routes (right)")
			.containsExactlyInAnyOrderElementsOf(routes);
	}

	@Test
	void everyOperationIsComplete() {
		operations(document()).forEach((route, operation) -> {
			assertThat(operation.path("operationId").asString()).as(route + " operationId").isNotBlank();
			assertThat(operation.path("summary").asString()).as(route + " summary").isNotBlank();
			assertThat(operation.path("tags").size()).as(route + " tags").isPositive();
			// open without a token: the local token endpoint, and the pages (they hold no data)
			if (!Set.of("POST /api/dev/tokens", "GET /console", "GET /shop").contains(route)) {
				assertThat(operation.path("security").toString()).as(route + " security").contains(ApiDocs.BEARER);
			}
			List<String> statuses = new ArrayList<>();
			operation.path("responses").propertyNames().forEach(statuses::add);
			assertThat(statuses).as(route + " success").anyMatch((status) -> status.startsWith("2"));
			for (String status : statuses) {
				if (status.startsWith("2")) {
					continue;
				}
				JsonNode response = operation.path("responses").path(status);
				assertThat(response.path("content").has("application/problem+json")).as(route + " " + status).isTrue();
				for (JsonNode code : response.path(ApiDocs.PROBLEM_CODES)) {
					assertThat(ErrorCode.valueOf(code.asString()).status().value()).as(route + " " + status + " " + code)
						.isEqualTo(Integer.parseInt(status));
				}
			}
		});
	}

	@Test
	void everyCodeOfTheContractIsDocumentedWhereItIsAnswered() throws IOException {
		Map<String, JsonNode> operations = operations(document());
		Set<String> used = new TreeSet<>();
		operations.values().forEach((operation) -> operation.path("responses")
			.forEach((response) -> response.path(ApiDocs.PROBLEM_CODES).forEach((code) -> used.add(code.asString()))));
		for (ErrorCode code : ErrorCode.values()) {
			if (code != ErrorCode.NOT_FOUND && code != ErrorCode.METHOD_NOT_ALLOWED) {
				assertThat(used).as("codes some operation answers").contains(code.name());
			}
		}
		// docs/api.md "Errors": | 409 | `CHARGE_IN_PROGRESS` | `POST /api/balance/charge` |
		Pattern row = Pattern.compile("^\\| (\\d{3}) \\| `([A-Z_]+)` \\| (.*) \\|$");
		Pattern route = Pattern.compile("`([A-Z]+ /[^`]+)`");
		int checked = 0;
		for (String line : Files.readAllLines(Path.of("docs", "api.md"))) {
			Matcher matcher = row.matcher(line);
			if (!matcher.matches()) {
				continue;
			}
			Matcher routes = route.matcher(matcher.group(3));
			while (routes.find()) {
				JsonNode operation = operations.get(routes.group(1));
				assertThat(operation).as("docs/api.md names " + routes.group(1)).isNotNull();
				assertThat(operation.path("responses").path(matcher.group(1)).path(ApiDocs.PROBLEM_CODES).toString())
					.as(routes.group(1) + " " + matcher.group(1)).contains("\"" + matcher.group(2) + "\"");
				checked++;
			}
		}
		assertThat(checked).as("rows of docs/api.md checked").isGreaterThan(20);
	}

	@Test
	void theCommittedDocumentIsTheServedOne() throws IOException {
		String served = served();
		boolean refresh = Boolean.getBoolean("openapi.refresh");
		if (refresh) {
			Files.writeString(COMMITTED, served.strip() + "\n", StandardCharsets.UTF_8);
		}
		if (!Files.exists(COMMITTED)) {
			fail(COMMITTED + " is missing: run ./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.refresh=true");
		}
		JsonNode committed = JSON.readTree(Files.readString(COMMITTED));
		if (!committed.equals(JSON.readTree(served))) {
			fail(COMMITTED + " is out of date with the routes' documentation: run "
					+ "./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.refresh=true and commit the file");
		}
	}

	private JsonNode document() {
		return JSON.readTree(served());
	}

	/** {@code /v3/api-docs} as the service serves it. */
	private String served() {
		return this.client.mutate()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build()
			.get().uri("/v3/api-docs").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
	}

	/** The document's operations by {@code "METHOD /path"}. */
	private static Map<String, JsonNode> operations(JsonNode document) {
		Map<String, JsonNode> operations = new TreeMap<>();
		document.path("paths").properties().forEach((path) -> path.getValue().properties().forEach((operation) -> {
			if (METHODS.contains(operation.getKey())) {
				operations.put(operation.getKey().toUpperCase() + " " + path.getKey(), operation.getValue());
			}
		}));
		return operations;
	}

}
