package com.example.flashsale.order;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.orders.*}.
 * @param maxLines most lines in one order
 * @param maxQuantity most units of one product in one order
 * @param idempotencyTtl how long a finished answer is replayed from Redis (the database keeps the key
 * for good)
 * @param inFlightTtl how long a running request holds its key in Redis before a retry may take over
 * (the database then decides)
 * @param paymentTimeout the longest the payment transaction may take; past it the order is left PENDING
 * for recovery (keep it below {@code app.user-lock.ttl})
 */
@ConfigurationProperties("app.orders")
record OrderProperties(@DefaultValue("50") int maxLines, @DefaultValue("100") int maxQuantity,
		@DefaultValue("24h") Duration idempotencyTtl, @DefaultValue("30s") Duration inFlightTtl,
		@DefaultValue("3s") Duration paymentTimeout) {
}
