package com.example.flashsale.support.problem;

import org.springframework.http.HttpStatus;

/**
 * The stable machine-readable {@code code} of every problem detail the API answers with, and its
 * HTTP status (docs/api.md "Errors"). Clients switch on the code, never on the human {@code detail}.
 */
public enum ErrorCode {

	INVALID_REQUEST(HttpStatus.BAD_REQUEST, "Invalid request"),
	UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Unauthorized"),
	FORBIDDEN(HttpStatus.FORBIDDEN, "Forbidden"),
	NOT_FOUND(HttpStatus.NOT_FOUND, "Not found"),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
	SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable"),
	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),

	COUPON_NOT_FOUND(HttpStatus.NOT_FOUND, "Coupon not found"),
	COUPON_NOT_ISSUABLE(HttpStatus.FORBIDDEN, "Coupon not issuable"),
	COUPON_ALREADY_ISSUED(HttpStatus.CONFLICT, "Coupon already issued"),
	COUPON_SOLD_OUT(HttpStatus.GONE, "Coupon sold out"),
	DUPLICATE_COUPON_CODE(HttpStatus.CONFLICT, "Duplicate coupon code"),

	USER_NOT_FOUND(HttpStatus.NOT_FOUND, "User not found"),
	INVALID_CHARGE_AMOUNT(HttpStatus.BAD_REQUEST, "Invalid charge amount"),
	CHARGE_IN_PROGRESS(HttpStatus.CONFLICT, "Charge in progress"),

	PRODUCT_NOT_FOUND(HttpStatus.NOT_FOUND, "Product not found"),
	PRODUCT_NOT_AVAILABLE(HttpStatus.CONFLICT, "Product not available"),

	INSUFFICIENT_STOCK(HttpStatus.CONFLICT, "Insufficient stock"),
	INSUFFICIENT_BALANCE(HttpStatus.PAYMENT_REQUIRED, "Insufficient balance"),
	INVALID_COUPON(HttpStatus.BAD_REQUEST, "Invalid coupon"),
	REQUEST_IN_PROGRESS(HttpStatus.CONFLICT, "Request in progress"),
	IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused"),
	ORDER_NOT_FOUND(HttpStatus.NOT_FOUND, "Order not found"),

	OUTBOX_EVENT_NOT_FOUND(HttpStatus.NOT_FOUND, "Outbox event not found"),

	/** A request body over the 64 KB limit (docs/api.md "Request limits"). */
	BODY_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "Body too large"),
	/** A request target (path and query) over its limit (docs/api.md "Request limits"). */
	URI_TOO_LONG(HttpStatus.URI_TOO_LONG, "URI too long"),
	/** Request headers over their limit (docs/api.md "Request limits"). */
	HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Headers too large"),
	/** More open event streams than a user or an instance may have (docs/api.md). */
	TOO_MANY_STREAMS(HttpStatus.TOO_MANY_REQUESTS, "Too many streams"),
	/**
	 * More writes of one user (or one client address) than its route's token bucket allows, shared by every
	 * instance (docs/api.md "Rate limits"); answered with {@code Retry-After}, {@code RateLimit-Policy} and
	 * {@code RateLimit}.
	 */
	RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "Rate limited"),
	/**
	 * This instance already runs as many requests of the route as it admits at once (docs/api.md "Load
	 * shedding"); refused at once with {@code Retry-After}, nothing was done.
	 */
	OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "Overloaded"),

	/** A protected endpoint of an active waiting room called without an admission token (docs/api.md "Waiting room"). */
	ADMISSION_REQUIRED(HttpStatus.FORBIDDEN, "Admission required"),
	/** An admission token that is forged, expired, another user's or room's, or already used (docs/api.md "Waiting room"). */
	INVALID_ADMISSION_TOKEN(HttpStatus.FORBIDDEN, "Invalid admission token"),
	/** No waiting room with that id (docs/api.md "Waiting room"). */
	ROOM_NOT_FOUND(HttpStatus.NOT_FOUND, "Waiting room not found"),
	/** The waiting room was closed (docs/api.md "Waiting room"). */
	ROOM_CLOSED(HttpStatus.GONE, "Waiting room closed"),
	/** The target already has an open waiting room (docs/api.md "Waiting room"). */
	ROOM_ALREADY_OPEN(HttpStatus.CONFLICT, "Waiting room already open"),
	/** No such ticket of the caller in that room: never taken, another user's, dropped out or expired (docs/api.md "Waiting room"). */
	TICKET_NOT_FOUND(HttpStatus.NOT_FOUND, "Ticket not found");

	private final HttpStatus status;

	private final String title;

	ErrorCode(HttpStatus status, String title) {
		this.status = status;
		this.title = title;
	}

	/** The HTTP status this code is answered with. */
	public HttpStatus status() {
		return this.status;
	}

	/** The short human title of the problem type. */
	public String title() {
		return this.title;
	}

}
