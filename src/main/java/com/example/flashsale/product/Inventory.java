package com.example.flashsale.product;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.db.SqlBatch;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.redis.LuaScripts;

/**
 * Stock as the order path uses it (docs/flows.md "Order and payment"): a cheap look at the sellable stock, the
 * all-or-nothing reservation of an order's lines in Redis ({@code redis/stock-reserve.lua}), its
 * release or confirmation, and the conditional decrement of the durable stock in MySQL.
 *
 * <p>A reservation is recorded at {@link ProductKeys#reservation} (a hash of stock key to
 * quantity, same hash tag as the stock), so a resent reserve takes nothing twice and a release gives back
 * exactly what was taken, at most once, whoever calls it (the request, or the recovery job). A record
 * never expires: reserved stock leaves it only by a release or a confirmation.
 */
@Component
public class Inventory {

	private static final RedisScript<Long> RESERVE = LuaScripts.STOCK_RESERVE;

	private static final RedisScript<Long> RELEASE = LuaScripts.STOCK_RELEASE;

	private final ReactiveStringRedisTemplate redis;

	private final ProductStock stock;

	private final ProductRepository repository;

	private final ProductSoldOut soldOut;

	Inventory(ReactiveStringRedisTemplate redis, ProductStock stock, ProductRepository repository,
			ProductSoldOut soldOut) {
		this.redis = redis;
		this.stock = stock;
		this.repository = repository;
		this.soldOut = soldOut;
	}

	/**
	 * One line of an order.
	 * @param productId the product
	 * @param quantity how many, at least 1
	 */
	public record Line(long productId, int quantity) {
	}

	/**
	 * Whether every line looks coverable by the sellable stock right now, without taking anything: lets a
	 * sold-out crowd be answered from Redis alone. A missing stock key counts as coverable (the
	 * reservation loads it and decides). A product read at 0 is learnt sold out ({@link ProductSoldOut}).
	 */
	public Mono<Boolean> looksAvailable(List<Line> lines) {
		return Mono.defer(() -> {
			ProductSoldOut.Look look = this.soldOut.look();
			return this.redis.opsForValue()
				.multiGet(lines.stream().map((line) -> ProductKeys.stock(line.productId())).toList())
				.map((values) -> {
					boolean available = true;
					for (int i = 0; i < lines.size(); i++) {
						String value = values.get(i);
						long sellable = (value != null) ? Long.parseLong(value) : Long.MAX_VALUE;
						if (sellable == 0) {
							this.soldOut.seenAtZero(lines.get(i).productId(), look);
						}
						available &= sellable >= lines.get(i).quantity();
					}
					return available;
				});
		});
	}

	/**
	 * Reserves every line for {@code orderId}, all or nothing; a stock key Redis lost is reloaded from
	 * MySQL and the reservation tried once more. Repeating a reservation that succeeded takes nothing.
	 * @return completes when reserved; {@link ErrorCode#INSUFFICIENT_STOCK} 409 when some line lacks stock
	 */
	public Mono<Void> reserve(long orderId, List<Line> lines) {
		return tryReserve(orderId, lines).flatMap((result) -> {
			if (result < 0) {
				return this.stock.loadMissing(lines.stream().map(Line::productId).toList(), orderId)
					.then(tryReserve(orderId, lines));
			}
			return Mono.just(result);
		}).flatMap((result) -> (result == 1L) ? Mono.<Void>empty() : Mono.error(outOfStock()));
	}

	/** The 409 {@link ErrorCode#INSUFFICIENT_STOCK} of an order some of whose lines lack sellable stock. */
	public static ProblemException outOfStock() {
		return new ProblemException(ErrorCode.INSUFFICIENT_STOCK, "Some ordered products are out of stock.");
	}

	private Mono<Long> tryReserve(long orderId, List<Line> lines) {
		List<String> keys = new ArrayList<>(lines.size() + 1);
		List<String> args = new ArrayList<>(lines.size());
		keys.add(ProductKeys.reservation(orderId));
		for (Line line : lines) {
			keys.add(ProductKeys.stock(line.productId()));
			args.add(Integer.toString(line.quantity()));
		}
		return this.redis.execute(RESERVE, keys, args).next();
	}

	/**
	 * Gives {@code orderId}'s reserved stock back, if it is still reserved: safe to repeat, and a no-op
	 * after {@link #confirm}.
	 * @return true when something was given back
	 */
	public Mono<Boolean> release(long orderId, List<Line> lines) {
		List<String> keys = new ArrayList<>(lines.size() + 1);
		keys.add(ProductKeys.reservation(orderId));
		lines.forEach((line) -> keys.add(ProductKeys.stock(line.productId())));
		return this.redis.execute(RELEASE, keys, List.of())
			.next()
			.map((released) -> released == 1L)
			.doOnEach((signal) -> {
				// given back, or maybe (a lost reply): units may be back
				if (Boolean.TRUE.equals(signal.get()) || signal.isOnError()) {
					this.soldOut.stockBack(lines.stream().map(Line::productId).toList());
				}
			});
	}

	/**
	 * Ends {@code orderId}'s reservation after its payment committed: the stock left MySQL too, so the
	 * sellable count already is right and only the record goes.
	 */
	public Mono<Void> confirm(long orderId) {
		return this.redis.delete(ProductKeys.reservation(orderId)).then();
	}

	/**
	 * The price of each line's product as MySQL has it committed, read in the caller's transaction (the
	 * payment's): what an order pays, whatever the product cache still says.
	 * @return product id to unit price (KRW); {@link ErrorCode#PRODUCT_NOT_AVAILABLE} 409 when a product is
	 * no longer ACTIVE
	 */
	public Mono<Map<Long, Long>> committedPrices(List<Line> lines) {
		return this.repository.findByIds(lines.stream().map(Line::productId).toList())
			.collectList()
			.flatMap((products) -> {
				Map<Long, Long> prices = new HashMap<>();
				for (Product product : products) {
					if (product.status() != ProductStatus.ACTIVE) {
						return Mono.error(new ProblemException(ErrorCode.PRODUCT_NOT_AVAILABLE,
								"Product " + product.id() + " is not on sale."));
					}
					prices.put(product.id(), product.price());
				}
				return Mono.just(prices);
			});
	}

	/**
	 * The statements that take every line off the durable stock, in product id order (so two orders never
	 * wait on each other's rows in opposite orders), for a batch in the caller's transaction (each product
	 * row stays locked until it ends: put them last, right before the commit).
	 * @return the statements; their checks signal {@link ErrorCode#INSUFFICIENT_STOCK} 409 (roll back) when a
	 * line lacks durable stock
	 */
	public List<SqlBatch.Part> takeDurable(List<Line> lines, Instant now) {
		return byProduct(lines).stream()
			.map((line) -> this.repository.decrementStock(line.productId(), line.quantity(), now,
					SqlBatch.Part.oneRowOrError(() -> new ProblemException(ErrorCode.INSUFFICIENT_STOCK,
							"Product " + line.productId() + " is out of stock."))))
			.toList();
	}

	/**
	 * Like {@link #takeDurable}, but each line only if its product is still ACTIVE at the unit price in
	 * {@code prices} (product id to KRW): the committed price is checked under the row lock by the decrement
	 * itself, so a payment priced from the catalogue cache needs no separate read of the prices.
	 * @param notTaken the error a check signals when some line's product has another price, is not ACTIVE
	 * or lacks durable stock (the caller rolls back and pays from {@link #committedPrices} instead)
	 */
	public List<SqlBatch.Part> takeDurableAt(List<Line> lines, Map<Long, Long> prices, Instant now,
			Supplier<? extends RuntimeException> notTaken) {
		return byProduct(lines).stream()
			.map((line) -> this.repository.decrementStockAt(line.productId(), line.quantity(), prices.get(line.productId()),
					now, SqlBatch.Part.oneRowOrError(notTaken)))
			.toList();
	}

	private static List<Line> byProduct(List<Line> lines) {
		return lines.stream().sorted((a, b) -> Long.compare(a.productId(), b.productId())).toList();
	}

	/**
	 * Puts a refunded order's units back on the durable stock, in product id order, in the caller's
	 * transaction (docs/flows.md "Recovery of pending orders"). Call {@link #restoreSellable} after its commit.
	 */
	public Mono<Void> restoreDurable(List<Line> lines, Instant now) {
		return Flux.fromIterable(byProduct(lines))
			.concatMap((line) -> this.repository.incrementStock(line.productId(), line.quantity(), now))
			.then();
	}

	/**
	 * Puts a refunded order's units back on the sellable stock once {@link #restoreDurable} committed:
	 * releases the reservation if it is still held, otherwise (it was confirmed) raises each stock key by
	 * the line's quantity, once per order and product even if repeated (a missing key stays missing and
	 * loads from MySQL).
	 */
	public Mono<Void> restoreSellable(long orderId, List<Line> lines) {
		return release(orderId, lines).flatMap((released) -> released ? Mono.<Void>empty()
				: Flux.fromIterable(lines)
					.concatMap((line) -> this.stock.adjust(line.productId(), "refund-" + orderId + "-" + line.productId(),
							line.quantity()))
					.then());
	}

}
