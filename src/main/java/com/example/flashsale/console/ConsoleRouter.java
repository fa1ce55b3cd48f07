package com.example.flashsale.console;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.operation.Builder;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.security.StreamTokens;

import static org.springdoc.core.fn.builders.apiresponse.Builder.responseBuilder;
import static org.springdoc.core.fn.builders.content.Builder.contentBuilder;
import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;
import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/**
 * Routes of the operator console (docs/operations.md "Operator console"): the page needs no token (it holds
 * no data); its stream and the stream's token need the ADMIN role (SecurityConfig).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleRouter {

	private static final String TAG = "Operations";

	@Bean
	RouterFunction<ServerResponse> consoleRoutes(ConsoleHandler handler) {
		return route().GET("/console", handler::page, ConsoleRouter::page)
			.GET("/api/admin/live", handler::live, ConsoleRouter::live)
			.POST("/api/admin/live/stream-token", handler::streamToken, ConsoleRouter::streamToken)
			.build();
	}

	private static void page(Builder operation) {
		operation.operationId("operatorConsole").tag(TAG).summary("The operator console page (HTML)")
			.response(responseBuilder().responseCode("200")
				.description("the page")
				.content(contentBuilder().mediaType(MediaType.TEXT_HTML_VALUE).schema(schemaBuilder().type("string"))));
		ApiDocs.open(operation);
	}

	private static void live(Builder operation) {
		operation.operationId("liveSale").tag(TAG).summary("The live sale: one snapshot a second, as server-sent events")
			.description("Events `snapshot` whose data is {at, coupons, products, orders, outbox, streams}, the "
					+ "latest at once. 429 TOO_MANY_STREAMS beyond the caller's open streams on one instance. See "
					+ "docs/operations.md \"Operator console\".")
			.parameter(parameterBuilder().in(ParameterIn.QUERY)
				.name("streamToken")
				.description("a token of POST /api/admin/live/stream-token, instead of the bearer header")
				.required(false)
				.schema(schemaBuilder().type("string")))
			.response(responseBuilder().responseCode("200")
				.description("the stream")
				.content(contentBuilder().mediaType(MediaType.TEXT_EVENT_STREAM_VALUE).schema(schemaBuilder().type("string"))));
		ApiDocs.admin(operation, ErrorCode.TOO_MANY_STREAMS);
	}

	private static void streamToken(Builder operation) {
		operation.operationId("createLiveStreamToken").tag(TAG)
			.summary("A short-lived token that opens the live stream from a URL")
			.response(ApiDocs.ok(200, "the token", StreamTokens.Issued.class));
		ApiDocs.admin(operation);
	}

}
