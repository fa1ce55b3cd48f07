package com.example.flashsale.outbox;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;

import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;

/** The OpenAPI description of the operators' outbox routes (docs/api.md "Outbox (admin)"). */
final class OutboxApiDoc {

	private static final String TAG = "Admin";

	private OutboxApiDoc() {
	}

	static void list(Builder operation) {
		operation.operationId("listOutboxEvents").tag(TAG).summary("Outbox events of one status, newest first")
			.parameter(parameterBuilder().in(ParameterIn.QUERY)
				.name("status")
				.description("the status to list")
				.required(false)
				.schema(schemaBuilder().type("string")
					.allowableValues(new String[] { "PENDING", "SENT", "FAILED" })
					.defaultValue(OutboxStatus.FAILED.name())))
			.response(ApiDocs.ok(200, "one page, with the count of every status", OutboxHandler.EventPage.class));
		ApiDocs.page(operation, OutboxHandler.DEFAULT_PAGE_SIZE, OutboxHandler.MAX_PAGE_SIZE);
		ApiDocs.admin(operation);
	}

	static void retry(Builder operation) {
		operation.operationId("retryOutboxEvent").tag(TAG).summary("Queue a FAILED event again, due now")
			.description("Attempts reset to 0.")
			.parameter(ApiDocs.pathId("id", "the outbox event"))
			.response(ApiDocs.ok(200, "queued", OutboxHandler.Requeued.class));
		ApiDocs.admin(operation, ErrorCode.OUTBOX_EVENT_NOT_FOUND);
	}

}
