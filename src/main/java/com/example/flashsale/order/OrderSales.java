package com.example.flashsale.order;

import java.time.LocalDate;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.product.UnitsInFlight;

/**
 * What orders sold and where they stand, for other features (the popular-products statistics, docs/flows.md
 * "Popular products"; the operator console, docs/operations.md "Operator console"; the units orders in
 * flight hold, for the product feature's sellable stock, docs/redis.md "Sellable stock"), so no other
 * feature reads the order tables.
 */
@Component
public class OrderSales implements UnitsInFlight {

	private final OrderRepository orders;

	OrderSales(OrderRepository orders) {
		this.orders = orders;
	}

	/**
	 * Units sold by one product on one UTC day.
	 * @param day the UTC day of the payments
	 * @param quantity units PAID orders bought that day
	 */
	public record DailySales(long productId, LocalDate day, long quantity) {
	}

	/**
	 * The units PENDING orders other than {@code exceptOrderId} hold of each of {@code productIds} (absent:
	 * none), in the caller's transaction.
	 */
	@Override
	public Mono<Map<Long, Long>> heldBy(Collection<Long> productIds, long exceptOrderId) {
		return this.orders.pendingUnits(productIds, exceptOrderId);
	}

	/** How many orders have each status (every status present, 0 when none). */
	public Mono<Map<OrderStatus, Long>> ordersByStatus() {
		return this.orders.countByStatus().map((counts) -> {
			Map<OrderStatus, Long> all = new EnumMap<>(OrderStatus.class);
			for (OrderStatus status : OrderStatus.values()) {
				all.put(status, counts.getOrDefault(status, 0L));
			}
			return all;
		});
	}

	/** The units PAID orders sold per product and UTC day of payment, over the days {@code from}..{@code to}. */
	public Flux<DailySales> paidQuantitiesByDay(LocalDate from, LocalDate to) {
		return this.orders.paidQuantitiesByDay(from.atStartOfDay(), to.plusDays(1).atStartOfDay());
	}

}
