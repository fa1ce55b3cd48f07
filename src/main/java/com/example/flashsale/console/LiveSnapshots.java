package com.example.flashsale.console;

import java.time.Clock;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.coupon.CouponService;
import com.example.flashsale.order.OrderSales;
import com.example.flashsale.order.OrderStreamCensus;
import com.example.flashsale.outbox.Outbox;
import com.example.flashsale.product.ProductStock;
import com.example.flashsale.waitingroom.RoomsLive;

/**
 * Builds the live snapshots of the sale, one per {@code app.console.interval} (1 s), shared by every console
 * connected to this instance: however many consoles are open, an instance reads Redis and MySQL once per
 * interval, and not at all while none is open. A snapshot that fails (a backend down) is skipped; the
 * next one follows on time.
 */
@Component
class LiveSnapshots {

	private static final Log logger = LogFactory.getLog(LiveSnapshots.class);

	/** Coupon events shown, at most. */
	private static final int COUPONS = 20;

	/** Products shown, at most. */
	private static final int PRODUCTS = 50;

	/** Waiting rooms shown, at most. */
	private static final int ROOMS = 20;

	/** How long after its window a coupon event is still shown. */
	private static final Duration CLOSED_WITHIN = Duration.ofDays(1);

	private final CouponService coupons;

	private final ProductStock stock;

	private final OrderSales orders;

	private final OrderStreamCensus streams;

	private final Outbox outbox;

	private final RoomsLive rooms;

	private final Clock clock;

	private final Flux<LiveSnapshot> shared;

	LiveSnapshots(CouponService coupons, ProductStock stock, OrderSales orders, OrderStreamCensus streams, Outbox outbox,
			RoomsLive rooms, ConsoleProperties properties, Clock clock) {
		this.coupons = coupons;
		this.stock = stock;
		this.orders = orders;
		this.streams = streams;
		this.outbox = outbox;
		this.rooms = rooms;
		this.clock = clock;
		this.shared = Flux.interval(Duration.ZERO, properties.interval())
			.onBackpressureDrop()
			.concatMap((tick) -> snapshot().onErrorResume((ex) -> {
				logger.warn("Live snapshot failed; the next one follows: " + ex);
				return Mono.empty();
			}))
			.replay(1)
			.refCount();
	}

	/** The snapshots from now on (the latest one at once), shared with every other subscriber. */
	Flux<LiveSnapshot> stream() {
		return this.shared;
	}

	/** One snapshot, read now. */
	Mono<LiveSnapshot> snapshot() {
		return Mono.zip(this.coupons.live(CLOSED_WITHIN, COUPONS).collectList(), this.stock.live(PRODUCTS).collectList(),
				this.orders.ordersByStatus(), this.outbox.backlog(), this.streams.openEverywhere(),
				this.rooms.open(ROOMS).collectList())
			.map((parts) -> new LiveSnapshot(this.clock.instant(), parts.getT1(), parts.getT2(), parts.getT3(),
					parts.getT4(), parts.getT5(), parts.getT6()));
	}

}
