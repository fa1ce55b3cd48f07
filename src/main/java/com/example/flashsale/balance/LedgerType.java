package com.example.flashsale.balance;

/** The kind of a ledger entry (docs/domain.md "Ledger"); stored by name in {@code balance_transactions.type}. */
public enum LedgerType {

	/** Money added by the user: positive. */
	CHARGE,

	/** An order paid: negative (0 when a coupon covered everything). */
	PAYMENT,

	/** A payment given back by recovery: positive. */
	REFUND

}
