package com.example.flashsale.support.openapi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.apiresponse.Builder;

import org.springframework.http.MediaType;

import com.example.flashsale.support.problem.ErrorCode;

import static org.springdoc.core.fn.builders.apiresponse.Builder.responseBuilder;
import static org.springdoc.core.fn.builders.content.Builder.contentBuilder;
import static org.springdoc.core.fn.builders.extension.Builder.extensionBuilder;
import static org.springdoc.core.fn.builders.extensionproperty.Builder.extensionPropertyBuilder;
import static org.springdoc.core.fn.builders.header.Builder.headerBuilder;
import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.requestbody.Builder.requestBodyBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;
import static org.springdoc.core.fn.builders.securityrequirement.Builder.securityRequirementBuilder;

/**
 * The pieces every feature's {@code XApiDoc} describes its routes with (docs/api.md "OpenAPI"), so that
 * all operations say the same things the same way: JSON bodies, numeric ids, bounded query parameters,
 * who may call (the bearer scheme) and which problem {@code code}s each status carries. The problem
 * responses are finished by {@link OpenApiConfig} (shared schema, codes every route may answer).
 */
public final class ApiDocs {

	/** The name of the bearer JWT security scheme. */
	public static final String BEARER = "bearer-jwt";

	/** The extension of a problem response listing its {@code code}s. */
	static final String PROBLEM_CODES = "x-problem-codes";

	private ApiDocs() {
	}

	/** A required JSON request body of {@code type}. */
	public static org.springdoc.core.fn.builders.requestbody.Builder body(Class<?> type) {
		return requestBodyBuilder().required(true)
			.content(contentBuilder().mediaType(MediaType.APPLICATION_JSON_VALUE).schema(schemaBuilder().implementation(type)));
	}

	/** A success response with a JSON body of {@code type}. */
	public static Builder ok(int status, String description, Class<?> type) {
		return responseBuilder().responseCode(Integer.toString(status))
			.description(description)
			.content(contentBuilder().mediaType(MediaType.APPLICATION_JSON_VALUE).schema(schemaBuilder().implementation(type)));
	}

	/** A 201 with a JSON body of {@code type} and a {@code Location} header ({@code location} says where). */
	public static Builder created(String description, Class<?> type, String location) {
		return ok(201, description, type)
			.header(headerBuilder().name("Location").description(location).schema(schemaBuilder().type("string")));
	}

	/** A required path variable: a positive 64-bit id (anything else is a 400 INVALID_REQUEST). */
	public static org.springdoc.core.fn.builders.parameter.Builder pathId(String name, String description) {
		return parameterBuilder().in(ParameterIn.PATH)
			.name(name)
			.description(description)
			.required(true)
			.schema(schemaBuilder().type("integer").format("int64").minimum("1"));
	}

	/**
	 * An optional integer query parameter in {@code 1..max} ({@link Long#MAX_VALUE} for none), {@code fallback}
	 * when absent (null for none).
	 */
	public static org.springdoc.core.fn.builders.parameter.Builder query(String name, String description, long max,
			Integer fallback) {
		org.springdoc.core.fn.builders.schema.Builder schema = schemaBuilder().type("integer")
			.format((max > Integer.MAX_VALUE) ? "int64" : "int32")
			.minimum("1");
		if (max != Long.MAX_VALUE) {
			schema.maximum(Long.toString(max));
		}
		if (fallback != null) {
			schema.defaultValue(fallback.toString());
		}
		return parameterBuilder().in(ParameterIn.QUERY).name(name).description(description).required(false).schema(schema);
	}

	/** The keyset paging parameters of docs/architecture.md "One shape per feature": {@code cursor} and {@code size}. */
	public static void page(org.springdoc.core.fn.builders.operation.Builder operation, int defaultSize, int maxSize) {
		operation.parameter(query("cursor", "the previous page's nextCursor; absent for the first page", Long.MAX_VALUE, null))
			.parameter(query("size", "rows per page", maxSize, defaultSize));
	}

	/**
	 * An operation any caller with a valid bearer token may call: the bearer scheme, 401 UNAUTHORIZED,
	 * and the problem responses of {@code codes}.
	 */
	public static void caller(org.springdoc.core.fn.builders.operation.Builder operation, ErrorCode... codes) {
		operation.security(securityRequirementBuilder().name(BEARER));
		problems(operation, with(codes, ErrorCode.UNAUTHORIZED));
	}

	/**
	 * An operation for the ADMIN role: the bearer scheme, 401 UNAUTHORIZED, 403 FORBIDDEN, and the problem
	 * responses of {@code codes}.
	 */
	public static void admin(org.springdoc.core.fn.builders.operation.Builder operation, ErrorCode... codes) {
		operation.security(securityRequirementBuilder().name(BEARER));
		problems(operation, with(codes, ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN));
	}

	/** An operation open without a token, with the problem responses of {@code codes}. */
	public static void open(org.springdoc.core.fn.builders.operation.Builder operation, ErrorCode... codes) {
		problems(operation, List.of(codes));
	}

	/**
	 * One {@code application/problem+json} response per status of {@code codes}, listing the codes in its
	 * description and in {@code x-problem-codes}; {@link OpenApiConfig} adds the codes every route may
	 * answer and the schema whose {@code code} is one of them.
	 */
	private static void problems(org.springdoc.core.fn.builders.operation.Builder operation, List<ErrorCode> codes) {
		Map<Integer, List<ErrorCode>> byStatus = codes.stream()
			.collect(Collectors.groupingBy((code) -> code.status().value(), LinkedHashMap::new, Collectors.toList()));
		byStatus.forEach((status, list) -> operation.response(responseBuilder().responseCode(Integer.toString(status))
			.description(OpenApiConfig.describe(list))
			.extension(extensionBuilder().propertie(extensionPropertyBuilder().name(PROBLEM_CODES)
				.value(list.stream().map(ErrorCode::name).collect(Collectors.joining(",")))))));
	}

	private static List<ErrorCode> with(ErrorCode[] codes, ErrorCode... always) {
		List<ErrorCode> all = new ArrayList<>(Arrays.asList(always));
		all.addAll(Arrays.asList(codes));
		return all;
	}

}
