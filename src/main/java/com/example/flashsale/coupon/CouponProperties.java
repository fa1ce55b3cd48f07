package com.example.flashsale.coupon;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.coupon.*}: every setting of the coupon feature (docs/flows.md "First-come coupon issue").
 *
 * @param writer the group commit of issues to MySQL
 * @param recovery the replay of issues left in the Redis log
 * @param keepAfterWindow how long an event's Redis state outlives its issue window
 * @param reconcile the comparison of every event's Redis state with MySQL
 * @param soldOutFromMemory whether an instance answers the claims of an event it knows is sold out from memory,
 * without Redis or MySQL ({@link CouponSoldOut}; docs/operations.md "Admission: rate limits, load shedding, sold out from memory")
 */
@ConfigurationProperties("app.coupon")
record CouponProperties(@DefaultValue Writer writer, @DefaultValue Recovery recovery,
		@DefaultValue("1d") Duration keepAfterWindow, @DefaultValue Reconcile reconcile,
		@DefaultValue("true") boolean soldOutFromMemory) {

	/**
	 * @param maxBatch most issues committed in one transaction
	 * @param lanes transactions in flight at once per coupon event
	 */
	record Writer(@DefaultValue("500") int maxBatch, @DefaultValue("2") int lanes) {

		public Writer {
			if (maxBatch < 1 || lanes < 1) {
				throw new IllegalArgumentException("app.coupon.writer.max-batch and lanes must be positive");
			}
		}

	}

	/**
	 * @param interval time between two scans of the Redis issue logs
	 * @param minAge entries younger than this are left to the writer that is committing them
	 * @param maxBackoff longest wait before retrying an event whose replay failed (the wait starts at
	 * {@code interval} and doubles with each failure)
	 */
	record Recovery(@DefaultValue("30s") Duration interval, @DefaultValue("5s") Duration minAge,
			@DefaultValue("10m") Duration maxBackoff) {
	}

	/**
	 * @param interval time between two runs of the reconciler (one instance at a time)
	 * @param minAge holders decided more recently than this are left alone (their commit may be in flight)
	 */
	record Reconcile(@DefaultValue("30s") Duration interval, @DefaultValue("10s") Duration minAge) {
	}

}
