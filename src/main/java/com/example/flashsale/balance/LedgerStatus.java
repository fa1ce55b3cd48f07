package com.example.flashsale.balance;

/**
 * The status of a ledger entry (docs/domain.md "Ledger"): only {@code COMPLETED} entries count in the
 * balance. Every entry the service writes today is written COMPLETED in the transaction that moves the
 * balance.
 */
public enum LedgerStatus {

	PENDING, COMPLETED

}
