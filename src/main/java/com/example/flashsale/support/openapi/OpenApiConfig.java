package com.example.flashsale.support.openapi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.example.flashsale.support.problem.ErrorCode;

/**
 * The OpenAPI document's header and what every operation shares (docs/api.md "OpenAPI"): the bearer JWT
 * scheme, the {@code Problem} schema of {@code application/problem+json}, and the problem responses. Every
 * operation answers, besides the codes its {@code XApiDoc} lists, the codes docs/api.md "Errors" says any
 * route may answer; each problem response's schema restricts {@code code} to the codes of its status. The
 * properties of the schemas only responses use are all {@code required}: the service writes every member,
 * nulls included.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {

	/** The name of the shared problem schema. */
	static final String PROBLEM = "Problem";

	/** The codes docs/api.md "Errors" says any route may answer (404 and 405 are of paths, not operations). */
	static final List<ErrorCode> ANY_ROUTE = List.of(ErrorCode.INVALID_REQUEST, ErrorCode.NOT_ACCEPTABLE,
			ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.BODY_TOO_LARGE, ErrorCode.URI_TOO_LONG, ErrorCode.HEADERS_TOO_LARGE,
			ErrorCode.INTERNAL_ERROR, ErrorCode.SERVICE_UNAVAILABLE);

	/**
	 * The codes any write may answer besides those of {@link #ANY_ROUTE}: 429 {@code RATE_LIMITED} and 503
	 * {@code OVERLOADED} (docs/api.md "Rate limits", "Load shedding"; which writes is configuration).
	 */
	static final List<ErrorCode> WRITES = List.of(ErrorCode.RATE_LIMITED, ErrorCode.OVERLOADED);

	private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	/** The document's header, server and bearer scheme. */
	@Bean
	OpenAPI flashSaleOpenApi() {
		return new OpenAPI()
			.info(new Info().title("flashsale")
				.version("0.1.0")
				.description("First-come coupon events and flash sales. The contract in prose, with every rule: "
						+ "docs/api.md. Money is integer KRW, times ISO-8601 UTC instants. Every error is "
						+ "application/problem+json with a stable `code`; a path that does not exist is 404 "
						+ "`NOT_FOUND`, another method on an existing path 405 `METHOD_NOT_ALLOWED`."))
			.servers(List.of(new Server().url("/").description("this service")))
			.components(new Components()
				.addSecuritySchemes(ApiDocs.BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
					.scheme("bearer")
					.bearerFormat("JWT")
					.description("A JWT of the configured identity provider, or HS256 with app.security.jwt.secret "
							+ "(the local profile mints one at POST /api/dev/tokens); the positive integer user id in `sub` (or "
							+ "the claim app.security.jwt.user-id-claim names), "
							+ "`exp` required, the ADMIN role for /api/admin/**. See docs/api.md \"Authentication\".")));
	}

	/** Finishes the problem responses and the required members of response schemas. */
	@Bean
	OpenApiCustomizer problemResponses() {
		return (openApi) -> {
			// here, not on the bean: springdoc drops component schemas nothing refers to before customizers run
			openApi.getComponents().addSchemas(PROBLEM, problemSchema());
			Set<String> requestSchemas = new HashSet<>();
			Set<String> responseSchemas = new HashSet<>();
			Map<String, Schema> schemas = (openApi.getComponents().getSchemas() != null) ? openApi.getComponents().getSchemas()
					: Map.of();
			openApi.getPaths().values().forEach((path) -> path.readOperationsMap().forEach((method, operation) -> {
				finishProblems(openApi.getComponents(), operation, method != PathItem.HttpMethod.GET);
				if (operation.getRequestBody() != null) {
					operation.getRequestBody().getContent().values()
						.forEach((media) -> collectRefs(media.getSchema(), schemas, requestSchemas));
				}
				operation.getResponses().forEach((status, response) -> {
					if (status.startsWith("2") && response.getContent() != null) {
						response.getContent().values().forEach((media) -> collectRefs(media.getSchema(), schemas, responseSchemas));
					}
				});
			}));
			responseSchemas.removeAll(requestSchemas);
			for (String name : responseSchemas) {
				Schema<?> schema = schemas.get(name);
				if (schema != null && schema.getProperties() != null && !schema.getProperties().isEmpty()) {
					schema.setRequired(new ArrayList<>(schema.getProperties().keySet()));
				}
			}
		};
	}

	/** The description of a problem response with {@code codes}: each code with its title. */
	static String describe(List<ErrorCode> codes) {
		return codes.stream().map((code) -> "`" + code.name() + "` (" + code.title() + ")").collect(Collectors.joining(", "));
	}

	/**
	 * @param write whether the operation is a write: any write may be rate-limited or shed when configured
	 * (docs/api.md "Rate limits", "Load shedding")
	 */
	private static void finishProblems(Components components, Operation operation, boolean write) {
		ApiResponses responses = operation.getResponses();
		Map<Integer, List<ErrorCode>> byStatus = new TreeMap<>();
		responses.forEach((status, response) -> {
			Object listed = (response.getExtensions() != null) ? response.getExtensions().get(ApiDocs.PROBLEM_CODES) : null;
			// a comma-separated string from ApiDocs, or the list this method left if springdoc customizes twice
			Collection<?> names = (listed instanceof Collection<?> list) ? list
					: (listed != null) ? Arrays.asList(listed.toString().split(",")) : List.of();
			for (Object name : names) {
				add(byStatus, ErrorCode.valueOf(name.toString().strip()));
			}
		});
		ANY_ROUTE.forEach((code) -> add(byStatus, code));
		if (write) {
			WRITES.forEach((code) -> add(byStatus, code));
		}
		byStatus.forEach((status, codes) -> {
			ApiResponse response = new ApiResponse().description(describe(codes))
				.content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(problemOf(components, codes))));
			response.addExtension(ApiDocs.PROBLEM_CODES, codes.stream().map(ErrorCode::name).toList());
			if (codes.contains(ErrorCode.SERVICE_UNAVAILABLE) || codes.contains(ErrorCode.TOO_MANY_STREAMS)
					|| codes.contains(ErrorCode.RATE_LIMITED)) {
				response.addHeaderObject("Retry-After", new Header().description("seconds to wait before retrying")
					.schema(new IntegerSchema()));
			}
			if (codes.contains(ErrorCode.RATE_LIMITED)) {
				response.addHeaderObject("RateLimit-Policy", new Header()
					.description("draft IETF ratelimit headers: \"<rule>\";q=<capacity>;w=<window s> (docs/api.md \"Rate limits\")")
					.schema(new StringSchema()));
				response.addHeaderObject("RateLimit", new Header()
					.description("draft IETF ratelimit headers: \"<rule>\";r=<remaining>;t=<s until full>")
					.schema(new StringSchema()));
			}
			responses.addApiResponse(Integer.toString(status), response);
		});
		// statuses in order: success first, then the problems
		Map<String, ApiResponse> sorted = new TreeMap<>(responses);
		responses.clear();
		responses.putAll(sorted);
	}

	private static void add(Map<Integer, List<ErrorCode>> byStatus, ErrorCode code) {
		List<ErrorCode> codes = byStatus.computeIfAbsent(code.status().value(), (status) -> new ArrayList<>());
		if (!codes.contains(code)) {
			codes.add(code);
		}
	}

	/**
	 * A reference to the problem schema with {@code code} restricted to {@code codes}, a component named
	 * {@code Problem-<codes>}: a copy of {@code Problem}, not an {@code allOf} of it, which validators that
	 * close each part of an {@code allOf} would refuse.
	 */
	private static Schema<?> problemOf(Components components, List<ErrorCode> codes) {
		String name = PROBLEM + "-" + codes.stream().map(ErrorCode::name).collect(Collectors.joining("-"));
		if (components.getSchemas() == null || !components.getSchemas().containsKey(name)) {
			components.addSchemas(name, problemSchema(codes).description("a problem detail whose code is one of "
					+ codes.stream().map(ErrorCode::name).collect(Collectors.joining(", "))));
		}
		return new Schema<>().$ref("#/components/schemas/" + name);
	}

	private static Schema<?> problemSchema() {
		return problemSchema(Arrays.asList(ErrorCode.values()));
	}

	private static Schema<?> problemSchema(List<ErrorCode> codes) {
		StringSchema code = new StringSchema();
		code.setEnum(codes.stream().map(ErrorCode::name).toList());
		code.description("stable, machine-readable: clients switch on it (docs/api.md \"Errors\")");
		Map<String, Schema> properties = new LinkedHashMap<>();
		properties.put("type", new StringSchema().description("always about:blank"));
		properties.put("title", new StringSchema().description("the code's short human title"));
		properties.put("status", new IntegerSchema().description("the HTTP status"));
		properties.put("detail", new StringSchema().description("human, specific to this occurrence; never parse it"));
		properties.put("instance", new StringSchema().description("the request path"));
		properties.put("code", code);
		properties.put("orderId", new IntegerSchema().format("int64")
			.description("POST /api/orders only: the order the failure belongs to, once it exists"));
		properties.put("roomId", new IntegerSchema().format("int64")
			.description("ADMISSION_REQUIRED only: the waiting room in front of the target, to take a ticket of"));
		ObjectSchema problem = new ObjectSchema();
		problem.setProperties(properties);
		problem.setRequired(List.of("type", "title", "status", "detail", "instance", "code"));
		problem.setDescription("RFC 9457 problem detail with the service's stable code");
		return problem;
	}

	private static void collectRefs(Schema<?> schema, Map<String, Schema> schemas, Set<String> into) {
		if (schema == null) {
			return;
		}
		if (schema.get$ref() != null) {
			String name = schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1);
			if (into.add(name)) {
				collectRefs(schemas.get(name), schemas, into);
			}
			return;
		}
		if (schema.getProperties() != null) {
			schema.getProperties().values().forEach((property) -> collectRefs(property, schemas, into));
		}
		if (schema.getItems() != null) {
			collectRefs(schema.getItems(), schemas, into);
		}
		if (schema.getAdditionalProperties() instanceof Schema<?> values) {
			collectRefs(values, schemas, into);
		}
		if (schema.getAllOf() != null) {
			schema.getAllOf().forEach((part) -> collectRefs(part, schemas, into));
		}
	}

}
