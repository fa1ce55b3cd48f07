package com.example.flashsale.balance;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.balance.BalanceViews.ChargeRequest;
import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Routes of the balance (SPEC section 3), all for the caller (JWT {@code sub}): {@code GET /api/balance},
 * {@code POST /api/balance/charge {amount}}, {@code GET /api/balance/transactions?cursor&size}.
 */
@Configuration(proxyBeanMethods = false)
class BalanceRouter {

	/** Page size of {@code GET /api/balance/transactions} without {@code size}. */
	static final int DEFAULT_PAGE_SIZE = 20;

	/** The balance routes; the caller is always the token's subject. */
	@Bean
	RouterFunction<ServerResponse> balanceRoutes(BalanceService service, Requests requests) {
		return route().path("/api/balance", (balance) -> balance
			.GET("", (request) -> requests.userId(request)
				.flatMap(service::balance)
				.flatMap((body) -> ServerResponse.ok().bodyValue(body)))
			.POST("/charge", (request) -> requests.userId(request)
				.zipWith(requests.body(request, ChargeRequest.class))
				.flatMap((args) -> service.charge(args.getT1(), args.getT2().amount()))
				.flatMap((body) -> ServerResponse.ok().bodyValue(body)))
			.GET("/transactions", (request) -> {
				Long cursor = requests.positiveQueryParam(request, "cursor").orElse(null);
				int size = requests.positiveQueryParam(request, "size")
					.map((s) -> (int) Math.min(s, Integer.MAX_VALUE))
					.orElse(DEFAULT_PAGE_SIZE);
				return requests.userId(request)
					.flatMap((userId) -> service.transactions(userId, cursor, size))
					.flatMap((body) -> ServerResponse.ok().bodyValue(body));
			}))
			.build();
	}

}
