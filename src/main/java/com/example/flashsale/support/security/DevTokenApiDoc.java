package com.example.flashsale.support.security;

import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.support.openapi.ApiDocs;

/** The OpenAPI description of the local profile's token route (docs/api.md "Authentication"). */
final class DevTokenApiDoc {

	private DevTokenApiDoc() {
	}

	static void issue(Builder operation) {
		operation.operationId("mintDevelopmentToken").tag("Development").summary("Mint a bearer token (local profile only)")
			.description("No token needed. A token for userId, with the ADMIN role when admin is true, valid for "
					+ "app.security.jwt.dev-token-ttl (12 h). The route exists only in the local profile.")
			.requestBody(ApiDocs.body(DevTokenHandler.TokenRequest.class))
			.response(ApiDocs.ok(200, "the token", DevTokenHandler.TokenResponse.class));
		ApiDocs.open(operation);
	}

}
