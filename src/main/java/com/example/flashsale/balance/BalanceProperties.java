package com.example.flashsale.balance;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.balance.*}: every setting of the balance feature (docs/api.md "Balance"). Amounts in KRW.
 *
 * @param charge the charge policy
 * @param userLockTtl the user lock's lease: the longest a crashed holder blocks the user; far above a
 * charge or payment transaction (milliseconds)
 * @param defaultPageSize ledger rows per page when the client gives no {@code size}
 * @param maxPageSize the largest ledger page a client may ask for (400 above)
 */
@ConfigurationProperties("app.balance")
record BalanceProperties(@DefaultValue Charge charge, @DefaultValue("5s") Duration userLockTtl,
		@DefaultValue("20") int defaultPageSize, @DefaultValue("100") int maxPageSize) {

	/**
	 * {@code app.balance.charge.*}.
	 * @param unit a charge is a multiple of this
	 * @param min the smallest charge
	 * @param max the largest single charge
	 * @param cap the largest balance a charge may lead to
	 */
	record Charge(@DefaultValue("10") long unit, @DefaultValue("1000") long min, @DefaultValue("100000") long max,
			@DefaultValue("10000000") long cap) {

		Charge {
			if (unit < 1 || min < unit || max < min || cap < max) {
				throw new IllegalArgumentException("app.balance.charge needs 1 <= unit <= min <= max <= cap");
			}
		}

	}

}
