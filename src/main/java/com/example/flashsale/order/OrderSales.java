package com.example.flashsale.order;

import java.time.LocalDate;

import reactor.core.publisher.Flux;

import org.springframework.stereotype.Component;

/**
 * What orders sold, for other features (the popular-products statistics; docs/flows.md "Popular
 * products"), so no other feature reads the order tables.
 */
@Component
public class OrderSales {

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

	/** The units PAID orders sold per product and UTC day of payment, over the days {@code from}..{@code to}. */
	public Flux<DailySales> paidQuantitiesByDay(LocalDate from, LocalDate to) {
		return this.orders.paidQuantitiesByDay(from.atStartOfDay(), to.plusDays(1).atStartOfDay());
	}

}
