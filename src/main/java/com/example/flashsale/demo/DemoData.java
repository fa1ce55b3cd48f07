package com.example.flashsale.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import com.example.flashsale.balance.BalanceService;
import com.example.flashsale.coupon.CouponService;
import com.example.flashsale.coupon.NewCoupon;
import com.example.flashsale.product.NewProduct;
import com.example.flashsale.product.ProductService;

/**
 * Loads demo data into an empty database through the features' own services, as an operator would:
 * users 1-3 (Alice, Bob, Carol), each charged 100,000 KRW; three products; the open coupon event
 * {@code WELCOME} (100 coupons of 3,000 KRW, open for 30 days, valid 7 days). Runs once at startup of the
 * {@code local} profile; does nothing when an account exists.
 */
@Component
@Profile("local")
class DemoData implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(DemoData.class);

	/** Each demo user's balance, KRW: one charge of the largest allowed amount. */
	private static final long DEMO_BALANCE = 100_000;

	private final BalanceService balances;

	private final ProductService products;

	private final CouponService coupons;

	private final Clock clock;

	DemoData(BalanceService balances, ProductService products, CouponService coupons, Clock clock) {
		this.balances = balances;
		this.products = products;
		this.coupons = coupons;
		this.clock = clock;
	}

	/**
	 * Starts the load without waiting for it: the runner thread must not block, and the demo rows land
	 * within milliseconds of startup. Failures are logged; the service runs without (all) demo data then.
	 */
	@Override
	public void run(ApplicationArguments args) {
		this.balances.anyAccount()
			.filter((any) -> !any)
			.flatMap((empty) -> load())
			.subscribe((loaded) -> logger.info("Loaded demo data: users 1-3, 3 products, coupon event WELCOME"),
					(ex) -> logger.error("Could not load the demo data", ex));
	}

	private Mono<Boolean> load() {
		Instant now = this.clock.instant();
		return Flux.just("Alice", "Bob", "Carol")
			.concatMap((name) -> this.balances.createUser(name)
				.flatMap((user) -> this.balances.charge(user.id(), DEMO_BALANCE)))
			.thenMany(Flux.just(new NewProduct("Mechanical keyboard", 89_000, 100),
					new NewProduct("Wireless mouse", 39_000, 200), new NewProduct("Limited sneakers", 159_000, 10)))
			.concatMap(this.products::create)
			.then(this.coupons.create(new NewCoupon("WELCOME", "Welcome 3,000 KRW off", 3_000, 100,
					now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(30)), 7)))
			.thenReturn(true);
	}

}
