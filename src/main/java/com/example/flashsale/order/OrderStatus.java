package com.example.flashsale.order;

/**
 * The status of an order (docs/domain.md "Orders"): {@code PENDING} while its outcome is not final, then
 * {@code PAID} or {@code FAILED}; a {@code PENDING} order a system fault left unfinished is compensated
 * by recovery to {@code CANCELED}. Stored by name in {@code orders.status}.
 */
public enum OrderStatus {

	PENDING, PAID, FAILED, CANCELED;

	/** Whether no further change can happen to an order with this status. */
	public boolean isFinal() {
		return this != PENDING;
	}

}
