package com.example.flashsale.product;

import java.util.Collection;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * The units of each product that orders in flight hold, as MySQL has them (docs/redis.md "Sellable stock"):
 * the items of PENDING orders. Such an order's items are written before its reservation is taken and stay
 * until it is paid (its units then leave the durable stock) or failed or canceled (its reservation is
 * given back), so durable stock minus these units is what may be sold without ever overstating it. The
 * order feature, which owns those tables, provides it; this feature uses it to load and reconcile the
 * sellable stock.
 */
public interface UnitsInFlight {

	/**
	 * The units PENDING orders hold of each of {@code productIds}, in the caller's transaction.
	 * @param exceptOrderId an order not to count (the one whose reservation found the key missing: it holds
	 * nothing yet and reserves on the loaded value); 0 for none
	 * @return product id to units; a product no PENDING order holds is absent
	 */
	Mono<Map<Long, Long>> heldBy(Collection<Long> productIds, long exceptOrderId);

}
