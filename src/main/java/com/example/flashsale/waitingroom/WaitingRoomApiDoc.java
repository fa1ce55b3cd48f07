package com.example.flashsale.waitingroom;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.operation.Builder;

import org.springframework.http.MediaType;

import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.security.StreamTokens;

import static org.springdoc.core.fn.builders.content.Builder.contentBuilder;
import static org.springdoc.core.fn.builders.apiresponse.Builder.responseBuilder;
import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;

/** The OpenAPI description of the waiting-room routes (docs/api.md "Waiting room"), one method per route. */
final class WaitingRoomApiDoc {

	private static final String TAG = "Waiting room";

	private WaitingRoomApiDoc() {
	}

	static void open(Builder operation) {
		operation.operationId("openWaitingRoom").tag("Admin").summary("Put a coupon event or a product behind a waiting room")
			.description("From now until it is closed, the coupon issue (COUPON) or any order with a line of the "
					+ "product (PRODUCT) needs an admission token of this room. Tickets taken before opensAt wait in "
					+ "a pre-queue shuffled at opensAt; admissionsPerSecond tickets are admitted each second from then. "
					+ "The target must exist (404 otherwise). See docs/api.md \"Waiting room\".")
			.requestBody(ApiDocs.body(NewRoom.class))
			.response(ApiDocs.created("the room", RoomView.class, "/api/admin/waiting-rooms/{roomId}"));
		ApiDocs.admin(operation, ErrorCode.COUPON_NOT_FOUND, ErrorCode.PRODUCT_NOT_FOUND, ErrorCode.ROOM_ALREADY_OPEN);
	}

	static void view(Builder operation) {
		operation.operationId("getWaitingRoom").tag("Admin").summary("A waiting room, with its tickets waiting and admitted")
			.parameter(ApiDocs.pathId("roomId", "the waiting room"))
			.response(ApiDocs.ok(200, "the room; waiting and admitted while it is open", RoomView.class));
		ApiDocs.admin(operation, ErrorCode.ROOM_NOT_FOUND);
	}

	static void close(Builder operation) {
		operation.operationId("closeWaitingRoom").tag("Admin").summary("Close a waiting room")
			.description("The target is no longer protected; the queue is deleted and its streams end.")
			.parameter(ApiDocs.pathId("roomId", "the waiting room"))
			.response(ApiDocs.ok(200, "the closed room", RoomView.class));
		ApiDocs.admin(operation, ErrorCode.ROOM_NOT_FOUND, ErrorCode.ROOM_CLOSED);
	}

	static void take(Builder operation) {
		operation.operationId("takeTicket").tag(TAG).summary("Take a ticket of a waiting room (one per user per room)")
			.description("No body. 201 a new ticket; 200 the caller's existing one. position is null while the ticket "
					+ "is in the pre-queue (its place is drawn at the opening), 0 once admitted. Listen to the ticket's "
					+ "events: a ticket nobody listens to drops out after the grace time (30 s). "
					+ "See docs/api.md \"Waiting room\".")
			.parameter(ApiDocs.pathId("roomId", "the waiting room"))
			.response(ApiDocs.created("a new ticket", WaitingRooms.TicketView.class, "/api/waiting-room/{roomId}/tickets/{ticketId}/events"))
			.response(ApiDocs.ok(200, "the caller's existing ticket", WaitingRooms.TicketView.class));
		ApiDocs.caller(operation, ErrorCode.ROOM_NOT_FOUND, ErrorCode.ROOM_CLOSED);
	}

	static void events(Builder operation) {
		operation.operationId("streamTicket").tag(TAG).summary("A ticket's position and admission as server-sent events")
			.description("An `:open` comment at once; `position` events {position, etaSeconds} at once and whenever the "
					+ "position drops (never a higher one; position null in the pre-queue); then one `admitted` event "
					+ "{admissionToken, expiresAt} and the end. Send the token as the Admission-Token header of the "
					+ "protected request: once, before expiresAt. A `:heartbeat` comment every 15 s. The stream keeps the "
					+ "ticket in the queue; it ends when the ticket drops out or the room closes. 429 TOO_MANY_STREAMS "
					+ "beyond 5 open streams of the caller on one instance. See docs/api.md \"Waiting room\".")
			.parameter(ApiDocs.pathId("roomId", "the waiting room"))
			.parameter(ApiDocs.pathId("ticketId", "the caller's ticket"))
			.parameter(parameterBuilder().in(ParameterIn.QUERY)
				.name("streamToken")
				.description("a token of POST /api/waiting-room/{roomId}/tickets/{ticketId}/stream-token, instead of "
						+ "the bearer header (for a browser's EventSource)")
				.required(false)
				.schema(schemaBuilder().type("string")))
			.response(responseBuilder().responseCode("200")
				.description("the stream")
				.content(contentBuilder().mediaType(MediaType.TEXT_EVENT_STREAM_VALUE).schema(schemaBuilder().type("string"))));
		ApiDocs.caller(operation, ErrorCode.ROOM_NOT_FOUND, ErrorCode.ROOM_CLOSED, ErrorCode.TICKET_NOT_FOUND,
				ErrorCode.TOO_MANY_STREAMS);
	}

	static void streamToken(Builder operation) {
		operation.operationId("createTicketStreamToken").tag(TAG).summary("A short-lived token that opens the ticket's stream")
			.description("For a browser's EventSource, which cannot send the Authorization header: open "
					+ "GET /api/waiting-room/{roomId}/tickets/{ticketId}/events?streamToken=<token>. Bound to the caller "
					+ "and this ticket; lives 5 min. See docs/api.md \"Authentication\".")
			.parameter(ApiDocs.pathId("roomId", "the waiting room"))
			.parameter(ApiDocs.pathId("ticketId", "the caller's ticket"))
			.response(ApiDocs.ok(200, "the token and when it expires", StreamTokens.Issued.class));
		ApiDocs.caller(operation, ErrorCode.ROOM_NOT_FOUND, ErrorCode.ROOM_CLOSED, ErrorCode.TICKET_NOT_FOUND);
	}

}
