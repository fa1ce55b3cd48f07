package com.example.flashsale.outbox;

/**
 * The delivery status of an outbox event (docs/domain.md "Outbox events"): {@code PENDING} until the data
 * platform accepts it ({@code SENT}) or the relay gives up after its attempts ({@code FAILED}, for
 * operators, who may put it back). Stored by name in {@code order_events.status}.
 */
public enum OutboxStatus {

	PENDING, SENT, FAILED

}
