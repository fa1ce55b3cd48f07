package com.example.flashsale.order;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of orders (SPEC section 3): {@code POST /api/orders} with the {@code Idempotency-Key} header,
 * {@code GET /api/orders/{orderId}} and its status stream {@code GET /api/orders/{orderId}/events} (the
 * caller's own orders only), and the operators' {@code GET /api/admin/products/{productId}/sales}.
 */
@Configuration(proxyBeanMethods = false)
class OrderRouter {

	/** The request header naming an order attempt (SPEC section 3). */
	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	/** The order routes; the admin one needs the ADMIN role (SecurityConfig). */
	@Bean
	RouterFunction<ServerResponse> orderRoutes(OrderService service, OrderStatusStream statusStream, Requests requests) {
		return route().path("/api", (api) -> api
			.POST("/orders", (request) -> {
				String key = OrderService.checkKey(request.headers().firstHeader(IDEMPOTENCY_KEY));
				return requests.userId(request)
					.zipWith(requests.body(request, OrderRequest.class))
					.flatMap((args) -> service.place(args.getT1(), key, service.validate(args.getT2())))
					.flatMap(OrderRouter::respond);
			})
			.GET("/orders/{orderId}", (request) -> {
				long orderId = requests.pathId(request, "orderId");
				return requests.userId(request)
					.flatMap((userId) -> service.find(orderId, userId))
					.flatMap((order) -> ServerResponse.ok().bodyValue(order));
			})
			.GET("/orders/{orderId}/events", (request) -> {
				long orderId = requests.pathId(request, "orderId");
				String lastEventId = request.headers().firstHeader("Last-Event-ID");
				return requests.userId(request)
					.flatMap((userId) -> statusStream.open(orderId, userId, lastEventId))
					.flatMap((events) -> ServerResponse.ok()
						.contentType(MediaType.TEXT_EVENT_STREAM)
						.header("Cache-Control", "no-cache")
						.header("X-Accel-Buffering", "no")
						.body(BodyInserters.fromServerSentEvents(events)));
			})
			.GET("/admin/products/{productId}/sales",
					(request) -> service.sales(requests.pathId(request, "productId"))
						.flatMap((sales) -> ServerResponse.ok().bodyValue(sales))))
			.build();
	}

	/**
	 * Sends a stored or fresh answer as it is: the same bytes on every replay. A stored 503 (a payment that
	 * failed before its commit) has no {@code Retry-After}: that order is FAILED, and a new attempt needs a
	 * new key.
	 */
	private static Mono<ServerResponse> respond(OrderOutcome outcome) {
		return ServerResponse.status(outcome.status())
			.contentType(outcome.isProblem() ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON)
			.bodyValue(outcome.body());
	}

}
