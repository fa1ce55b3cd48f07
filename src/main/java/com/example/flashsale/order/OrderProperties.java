package com.example.flashsale.order;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.orders.*}: every setting of the order feature (docs/api.md "Orders").
 * @param maxLines most lines in one order
 * @param maxQuantity most units of one product in one order
 * @param idempotencyTtl how long a finished answer is replayed from Redis (the database keeps the key
 * for good)
 * @param inFlightTtl how long a running request holds its key in Redis before a retry may take over
 * (the database then decides)
 * @param paymentTimeout the longest the payment transaction may take; past it the order is left PENDING
 * for recovery (keep it below {@code app.user-lock.ttl})
 * @param refusalPurgeInterval how often refusals older than {@code idempotencyTtl} are deleted from MySQL
 * @param stream the order status stream
 * @param recovery the pending-order recovery job
 * @param group the group commit of orders
 */
@ConfigurationProperties("app.orders")
record OrderProperties(@DefaultValue("50") int maxLines, @DefaultValue("100") int maxQuantity,
		@DefaultValue("24h") Duration idempotencyTtl, @DefaultValue("30s") Duration inFlightTtl,
		@DefaultValue("3s") Duration paymentTimeout, @DefaultValue("1h") Duration refusalPurgeInterval,
		@DefaultValue Stream stream, @DefaultValue Recovery recovery,
		@DefaultValue Group group) {

	/**
	 * {@code app.orders.stream.*}: {@code GET /api/orders/{orderId}/events} and the status log behind it.
	 * @param heartbeat how often an idle stream sends a comment (and rereads the status from MySQL)
	 * @param deliveryWait how long a stream stays open after PAID for the data-platform delivery event
	 * @param logTtl how long an order's status log is kept in Redis after its last change
	 * @param logMaxEntries the most entries one order's status log keeps (approximately)
	 * @param retry the reconnect delay a stream's first event asks of the browser ({@code retry:})
	 */
	record Stream(@DefaultValue("15s") Duration heartbeat, @DefaultValue("5s") Duration deliveryWait,
			@DefaultValue("24h") Duration logTtl, @DefaultValue("32") int logMaxEntries,
			@DefaultValue("3s") Duration retry) {
	}

	/**
	 * {@code app.orders.recovery.*}: the pending-order recovery job (docs/flows.md "Recovery of pending orders").
	 * @param interval how often it runs
	 * @param minAge how old a PENDING order must be before it is compensated (well above the payment
	 * timeout, so no request is still working on it)
	 * @param batch most orders compensated per run
	 */
	record Recovery(@DefaultValue("10s") Duration interval, @DefaultValue("1m") Duration minAge,
			@DefaultValue("100") int batch) {
	}

	/**
	 * {@code app.orders.group.*}: the group commit of orders (docs/architecture.md "Orders in groups").
	 * @param maxOrders the most orders inserted, or paid, in one transaction; 1 runs every order alone
	 * @param lanes the most groups of each stage (PENDING inserts, payments) in flight at once on this
	 * instance; 1 makes larger groups: faster while every payment goes through, rolled back more often when
	 * some are refused (docs/adr/0032-orders-committed-in-groups.md)
	 */
	record Group(@DefaultValue("32") int maxOrders, @DefaultValue("2") int lanes) {
	}

}
