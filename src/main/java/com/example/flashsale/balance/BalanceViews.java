package com.example.flashsale.balance;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;

/** The bodies of the balance endpoints (docs/api.md "Balance"); amounts in KRW. */
public final class BalanceViews {

	private BalanceViews() {
	}

	/** {@code GET /api/balance}. */
	record Balance(long userId, long balance) {
	}

	/** {@code POST /api/balance/charge} request: the amount in KRW, checked against {@link ChargePolicy}. */
	record ChargeRequest(@NotNull Long amount) {
	}

	/** {@code POST /api/balance/charge} answer: the balance after the charge and its ledger row. */
	public record Charged(long userId, long balance, long transactionId) {
	}

	/**
	 * {@code GET /api/balance/transactions}: newest first; pass {@code nextCursor} as {@code cursor} for
	 * the next page, null on the last page.
	 */
	record LedgerPage(List<LedgerEntry> transactions, @Schema(nullable = true) Long nextCursor) {
	}

}
