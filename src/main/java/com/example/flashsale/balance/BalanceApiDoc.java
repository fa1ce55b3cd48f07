package com.example.flashsale.balance;

import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.balance.BalanceViews.ChargeRequest;
import com.example.flashsale.balance.BalanceViews.Charged;
import com.example.flashsale.balance.BalanceViews.LedgerPage;
import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;

/** The OpenAPI description of the balance routes (docs/api.md "Balance" and "Admin"), one method per route. */
final class BalanceApiDoc {

	private static final String TAG = "Balance";

	private final BalanceProperties properties;

	BalanceApiDoc(BalanceProperties properties) {
		this.properties = properties;
	}

	void balance(Builder operation) {
		operation.operationId("getBalance").tag(TAG).summary("The caller's balance")
			.response(ApiDocs.ok(200, "the caller's account", BalanceViews.Balance.class));
		ApiDocs.caller(operation, ErrorCode.USER_NOT_FOUND);
	}

	void charge(Builder operation) {
		operation.operationId("charge").tag(TAG).summary("Charge the caller's balance")
			.description("Under the account's lock (held: 409 at once). The amount must be a multiple of "
					+ this.properties.charge().unit() + " KRW, " + this.properties.charge().min() + " to "
					+ this.properties.charge().max() + " KRW, and leave the balance at most "
					+ this.properties.charge().cap() + " KRW; each broken rule is a 400 INVALID_CHARGE_AMOUNT whose "
					+ "detail names it. See docs/api.md \"Balance\".")
			.requestBody(ApiDocs.body(ChargeRequest.class))
			.response(ApiDocs.ok(200, "the balance after the charge and its ledger row", Charged.class));
		ApiDocs.caller(operation, ErrorCode.INVALID_CHARGE_AMOUNT, ErrorCode.USER_NOT_FOUND, ErrorCode.CHARGE_IN_PROGRESS);
	}

	void transactions(Builder operation) {
		operation.operationId("listTransactions").tag(TAG).summary("The caller's ledger, newest first")
			.description("Keyset pages: pass the previous page's nextCursor as cursor (null on the last page).")
			.response(ApiDocs.ok(200, "one page of the ledger", LedgerPage.class));
		ApiDocs.page(operation, this.properties.defaultPageSize(), this.properties.maxPageSize());
		ApiDocs.caller(operation, ErrorCode.USER_NOT_FOUND);
	}

	void createUser(Builder operation) {
		operation.operationId("createUser").tag("Admin").summary("Create an account with a zero balance")
			.requestBody(ApiDocs.body(NewUser.class))
			.response(ApiDocs.created("the account", User.class, "/api/admin/users/{id}"));
		ApiDocs.admin(operation);
	}

}
