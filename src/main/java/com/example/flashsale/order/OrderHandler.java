package com.example.flashsale.order;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.support.security.StreamTokens;
import com.example.flashsale.support.web.StreamLimits;
import com.example.flashsale.support.web.Requests;
import com.example.flashsale.waitingroom.AdmissionGate;
import com.example.flashsale.waitingroom.TargetType;

/** HTTP mapping of the order feature (docs/api.md "Orders"); decisions in {@link OrderPlacement} and the queries. */
@Component
class OrderHandler {

	/** The request header naming an order attempt. */
	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private final OrderPlacement placement;

	private final OrderQueries queries;

	private final OrderStatusStream statusStream;

	private final OrderRequestValidator validator;

	private final Requests requests;

	private final StreamTokens streamTokens;

	private final StreamLimits streamLimits;

	private final AdmissionGate admissions;

	OrderHandler(OrderPlacement placement, OrderQueries queries, OrderStatusStream statusStream,
			OrderProperties properties, Requests requests, StreamTokens streamTokens, StreamLimits streamLimits,
			AdmissionGate admissions) {
		this.placement = placement;
		this.queries = queries;
		this.statusStream = statusStream;
		this.validator = new OrderRequestValidator(properties.maxLines(), properties.maxQuantity());
		this.requests = requests;
		this.streamTokens = streamTokens;
		this.streamLimits = streamLimits;
		this.admissions = admissions;
	}

	/**
	 * {@code POST /api/orders} with {@code Idempotency-Key}: 201 paid, 202 pending, or the stored problem;
	 * the same answer on every replay of the key with the same body. A product behind an open waiting room
	 * needs the {@code Admission-Token} header ({@link AdmissionGate}: 403 ADMISSION_REQUIRED or
	 * INVALID_ADMISSION_TOKEN), spent by this Idempotency-Key.
	 */
	Mono<ServerResponse> place(ServerRequest request) {
		return Mono.fromCallable(() -> OrderRequestValidator.checkKey(request.headers().firstHeader(IDEMPOTENCY_KEY)))
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.requests.body(request, OrderRequest.class)
				.map(this.validator::validate)
				.flatMap((order) -> this.admissions
					.admit(args.getT2(), TargetType.PRODUCT, order.lines().stream().map((line) -> line.productId()).toList(),
							request.headers().firstHeader(AdmissionGate.HEADER), "order:" + args.getT1())
					.then(Mono.defer(() -> this.placement.place(args.getT2(), args.getT1(), order)))))
			.flatMap(OrderAnswers::respond);
	}

	/** {@code GET /api/orders/{orderId}}: the caller's order; 404 for another user's. */
	Mono<ServerResponse> find(ServerRequest request) {
		return this.requests.pathId(request, "orderId")
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.queries.find(args.getT1(), args.getT2()))
			.flatMap((order) -> ServerResponse.ok().bodyValue(order));
	}

	/**
	 * {@code GET /api/orders/{orderId}/events}: the order's status as server-sent events; 204 for a
	 * reconnect to a finished order that has nothing more to send; 429 TOO_MANY_STREAMS beyond the
	 * caller's open streams ({@link StreamLimits}).
	 */
	Mono<ServerResponse> events(ServerRequest request) {
		String lastEventId = request.headers().firstHeader("Last-Event-ID");
		return this.requests.pathId(request, "orderId")
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.statusStream.open(args.getT1(), args.getT2(), lastEventId)
				.flatMap((opening) -> (opening instanceof OrderStatusStream.Opening.Events events)
						? ServerResponse.ok()
							.contentType(MediaType.TEXT_EVENT_STREAM)
							.header("Cache-Control", "no-cache")
							.header("X-Accel-Buffering", "no")
							// 429 TOO_MANY_STREAMS beyond the caller's cap, before the first byte
							.body(BodyInserters.fromServerSentEvents(this.streamLimits.limited(args.getT2(), events.events())))
						// nothing more for a finished order: 204 makes a browser's EventSource stop reconnecting
						: ServerResponse.noContent().build()));
	}

	/**
	 * {@code POST /api/orders/{orderId}/stream-token}: a short-lived token that opens this order's status
	 * stream as {@code ?streamToken=} (for a browser's EventSource); 404 for another user's order.
	 */
	Mono<ServerResponse> streamToken(ServerRequest request) {
		return this.requests.pathId(request, "orderId")
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.queries.find(args.getT1(), args.getT2())
				.map((order) -> this.streamTokens.issue(args.getT2(), StreamTokens.orderResource(args.getT1()), List.of())))
			.flatMap((issued) -> ServerResponse.ok().bodyValue(issued));
	}

	/** {@code GET /api/admin/products/{productId}/sales}: what orders did to one product. */
	Mono<ServerResponse> sales(ServerRequest request) {
		return this.requests.pathId(request, "productId")
			.flatMap(this.queries::sales)
			.flatMap((sales) -> ServerResponse.ok().bodyValue(sales));
	}

}
