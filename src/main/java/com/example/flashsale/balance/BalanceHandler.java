package com.example.flashsale.balance;

import java.net.URI;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.balance.BalanceViews.ChargeRequest;
import com.example.flashsale.support.web.Requests;

/**
 * HTTP mapping of the balance feature (docs/api.md "Balance" and "Admin"); the caller is always the
 * token's subject.
 */
@Component
class BalanceHandler {

	private final BalanceService service;

	private final BalanceProperties properties;

	private final Requests requests;

	BalanceHandler(BalanceService service, BalanceProperties properties, Requests requests) {
		this.service = service;
		this.properties = properties;
		this.requests = requests;
	}

	/** {@code GET /api/balance} -> 200 {@code {userId, balance}}. */
	Mono<ServerResponse> balance(ServerRequest request) {
		return this.requests.userId(request)
			.flatMap(this.service::balance)
			.flatMap((body) -> ServerResponse.ok().bodyValue(body));
	}

	/** {@code POST /api/balance/charge {amount}} -> 200 {@code {userId, balance, transactionId}}. */
	Mono<ServerResponse> charge(ServerRequest request) {
		return this.requests.userId(request)
			.zipWith(this.requests.body(request, ChargeRequest.class))
			.flatMap((args) -> this.service.charge(args.getT1(), args.getT2().amount()))
			.flatMap((body) -> ServerResponse.ok().bodyValue(body));
	}

	/** {@code GET /api/balance/transactions?cursor&size} -> 200 a ledger page, newest first. */
	Mono<ServerResponse> transactions(ServerRequest request) {
		return this.requests.page(request, this.properties.defaultPageSize(), this.properties.maxPageSize())
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.service.transactions(args.getT2(), args.getT1()))
			.flatMap((body) -> ServerResponse.ok().bodyValue(body));
	}

	/** {@code POST /api/admin/users {name}} -> 201 {@code {id, name, balance}}. */
	Mono<ServerResponse> createUser(ServerRequest request) {
		return this.requests.body(request, NewUser.class)
			.flatMap((body) -> this.service.createUser(body.name()))
			.flatMap((user) -> ServerResponse.created(URI.create("/api/admin/users/" + user.id())).bodyValue(user));
	}

}
