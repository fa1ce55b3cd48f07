package com.example.flashsale.order;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.operation.Builder;

import org.springframework.http.MediaType;

import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.order.OrderViews.OrderView;
import com.example.flashsale.order.OrderViews.PendingBody;
import com.example.flashsale.order.OrderViews.Placed;
import com.example.flashsale.order.OrderViews.ProductSales;
import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.security.StreamTokens;
import com.example.flashsale.waitingroom.AdmissionGate;

import static org.springdoc.core.fn.builders.apiresponse.Builder.responseBuilder;
import static org.springdoc.core.fn.builders.content.Builder.contentBuilder;
import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;

/**
 * The OpenAPI description of the order routes (docs/api.md "Orders", "Order status stream" and "Admin"),
 * one method per route.
 */
final class OrderApiDoc {

	private static final String TAG = "Orders";

	private final OrderProperties properties;

	OrderApiDoc(OrderProperties properties) {
		this.properties = properties;
	}

	void place(Builder operation) {
		operation.operationId("placeOrder").tag(TAG).summary("Place an order paid from the balance, idempotently")
			.description("1 to " + this.properties.maxLines() + " lines, each product once, quantities 1 to "
					+ this.properties.maxQuantity() + ". The same Idempotency-Key with the same body replays the "
					+ "first answer (status and bytes); with another body 422. Failures once the order exists "
					+ "carry its orderId. See docs/api.md \"Orders\" and \"Idempotency\".")
			.parameter(parameterBuilder().in(ParameterIn.HEADER)
				.name(OrderHandler.IDEMPOTENCY_KEY)
				.description("names this order attempt: 1 to 255 printable ASCII characters, no spaces")
				.required(true)
				.schema(schemaBuilder().type("string").minLength(1).maxLength(255).pattern("^[\\x21-\\x7E]+$")))
			.parameter(parameterBuilder().in(ParameterIn.HEADER)
				.name(AdmissionGate.HEADER)
				.description("the admission token of the product's open waiting room, if it has one "
						+ "(docs/api.md \"Waiting room\"); spent by this Idempotency-Key")
				.required(false)
				.schema(schemaBuilder().type("string").maxLength(200)))
			.requestBody(ApiDocs.body(OrderRequest.class))
			.response(ApiDocs.ok(201, "PAID", Placed.class))
			.response(ApiDocs.ok(202, "PENDING: a fault left the payment's outcome unknown; it is settled later",
					PendingBody.class));
		ApiDocs.caller(operation, ErrorCode.INVALID_COUPON, ErrorCode.INSUFFICIENT_BALANCE, ErrorCode.PRODUCT_NOT_FOUND,
				ErrorCode.USER_NOT_FOUND, ErrorCode.PRODUCT_NOT_AVAILABLE, ErrorCode.INSUFFICIENT_STOCK,
				ErrorCode.REQUEST_IN_PROGRESS, ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.ADMISSION_REQUIRED,
				ErrorCode.INVALID_ADMISSION_TOKEN);
	}

	void find(Builder operation) {
		operation.operationId("getOrder").tag(TAG).summary("One of the caller's orders as it is now")
			.parameter(ApiDocs.pathId("orderId", "the order"))
			.response(ApiDocs.ok(200, "the order", OrderView.class));
		ApiDocs.caller(operation, ErrorCode.ORDER_NOT_FOUND);
	}

	void events(Builder operation) {
		operation.operationId("streamOrderStatus").tag(TAG).summary("The order's status as server-sent events")
			.description("Events `order-status` whose data is {orderId, status, at}: first the current status, "
					+ "then every change (PENDING, PAID, FAILED, CANCELED, DATA_PLATFORM_SENT, "
					+ "DATA_PLATFORM_FAILED); an `:open` comment at once, a `:heartbeat` comment every 15 s; ends after "
					+ "a final status. 429 TOO_MANY_STREAMS beyond 5 open streams of the caller on one instance. See "
					+ "docs/api.md \"Order status stream\".")
			.parameter(ApiDocs.pathId("orderId", "the order"))
			.parameter(parameterBuilder().in(ParameterIn.HEADER)
				.name("Last-Event-ID")
				.description("resume after this event id of this service (an unknown id is ignored)")
				.required(false)
				.schema(schemaBuilder().type("string")))
			.parameter(parameterBuilder().in(ParameterIn.QUERY)
				.name("streamToken")
				.description("a token of POST /api/orders/{orderId}/stream-token, instead of the bearer header "
						+ "(for a browser's EventSource)")
				.required(false)
				.schema(schemaBuilder().type("string")))
			.response(responseBuilder().responseCode("200")
				.description("the stream; its first event carries retry:")
				.content(contentBuilder().mediaType(MediaType.TEXT_EVENT_STREAM_VALUE).schema(schemaBuilder().type("string"))))
			.response(responseBuilder().responseCode("204")
				.description("a reconnect to a finished order that has every event: the browser stops reconnecting"));
		ApiDocs.caller(operation, ErrorCode.ORDER_NOT_FOUND, ErrorCode.TOO_MANY_STREAMS);
	}

	void streamToken(Builder operation) {
		operation.operationId("createOrderStreamToken").tag(TAG)
			.summary("A short-lived token that opens this order's status stream from a URL")
			.description("For a browser's EventSource, which cannot send the Authorization header: open "
					+ "GET /api/orders/{orderId}/events?streamToken=<token>. Bound to the caller and this order; "
					+ "lives 5 minutes. See docs/api.md \"Authentication\".")
			.parameter(ApiDocs.pathId("orderId", "the order"))
			.response(ApiDocs.ok(200, "the token", StreamTokens.Issued.class));
		ApiDocs.caller(operation, ErrorCode.ORDER_NOT_FOUND);
	}

	void sales(Builder operation) {
		operation.operationId("getProductSales").tag("Admin").summary("What orders did to one product")
			.description("Durable stock (MySQL), sellable stock (Redis), PAID orders and units, PENDING orders.")
			.parameter(ApiDocs.pathId("productId", "the product"))
			.response(ApiDocs.ok(200, "the product's sales", ProductSales.class));
		ApiDocs.admin(operation, ErrorCode.PRODUCT_NOT_FOUND);
	}

}
