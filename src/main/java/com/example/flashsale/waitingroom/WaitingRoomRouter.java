package com.example.flashsale.waitingroom;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/** Routes of the waiting rooms (docs/api.md "Waiting room"); each names its OpenAPI description in {@link WaitingRoomApiDoc}. */
@Configuration(proxyBeanMethods = false)
class WaitingRoomRouter {

	@Bean
	RouterFunction<ServerResponse> waitingRoomRoutes(WaitingRoomHandler handler) {
		return route()
			.POST("/api/admin/waiting-rooms", handler::open, WaitingRoomApiDoc::open)
			.GET("/api/admin/waiting-rooms/{roomId}", handler::view, WaitingRoomApiDoc::view)
			.DELETE("/api/admin/waiting-rooms/{roomId}", handler::close, WaitingRoomApiDoc::close)
			.POST("/api/waiting-room/{roomId}/tickets", handler::take, WaitingRoomApiDoc::take)
			.GET("/api/waiting-room/{roomId}/tickets/{ticketId}/events", handler::events, WaitingRoomApiDoc::events)
			.POST("/api/waiting-room/{roomId}/tickets/{ticketId}/stream-token", handler::streamToken,
					WaitingRoomApiDoc::streamToken)
			.build();
	}

}
