package com.example.flashsale.balance;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One row of a user's ledger (table {@code balance_transactions}; docs/domain.md "Ledger"); amounts in KRW,
 * signed (a PAYMENT is negative).
 *
 * @param id the transaction id, also the paging cursor
 * @param type what moved the balance
 * @param amount the signed change of the balance
 * @param balanceAfter the balance right after this entry
 * @param orderId the order of a payment or refund, else null
 * @param status only completed entries count in the balance
 * @param createdAt when it was written
 */
record LedgerEntry(long id, LedgerType type, long amount, long balanceAfter, @Schema(nullable = true) Long orderId, LedgerStatus status,
		Instant createdAt) {
}
