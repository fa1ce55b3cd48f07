package com.example.flashsale.order;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.startup.WarmUpCall;
import com.example.flashsale.support.startup.WarmUpFixture;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * The order feature's part of the startup warm-up (docs/operations.md "Cold start"): {@code POST /api/orders}
 * of the synthetic product {@link WarmUpIdentity#PRODUCT_ID}, which does not exist, by the synthetic users:
 * the Idempotency-Key claim and answer scripts, the user lock, the catalog lookup, the refusal written to
 * {@code order_refusals} and the replayable answer, with no order, stock, balance, payment or outbox event
 * touched and nothing counted in the order metrics ({@link OrderPlacement}); and the read of an order that is
 * not there. Alongside, paid orders are rehearsed in-process in transactions that are rolled back
 * ({@link OrderRehearsal}). Afterwards the synthetic users' refusal rows and idempotency records, and the
 * rehearsals' Redis keys, are deleted.
 */
@Component
class OrderWarmUpFixture implements WarmUpFixture {

	/** How long after the first clean-up pass the second one runs. */
	private static final Duration LATE_WRITES = Duration.ofSeconds(1);

	private final DatabaseClient db;

	private final ReactiveStringRedisTemplate redis;

	private final OrderRehearsal rehearsal;

	OrderWarmUpFixture(DatabaseClient db, ReactiveStringRedisTemplate redis, OrderRehearsal rehearsal) {
		this.db = db;
		this.redis = redis;
		this.rehearsal = rehearsal;
	}

	@Override
	public List<Supplier<Flux<String>>> rehearsals() {
		return List.of(this.rehearsal::rehearse);
	}

	@Override
	public List<WarmUpCall> calls() {
		return List.of(
				new WarmUpCall(HttpMethod.POST, "/api/orders",
						"{\"items\":[{\"productId\":" + WarmUpIdentity.PRODUCT_ID + ",\"quantity\":1}],\"userCouponId\":null}",
						true),
				WarmUpCall.get("/api/orders/" + WarmUpIdentity.PRODUCT_ID));
	}

	/**
	 * Deletes the synthetic users' refusal rows and idempotency records, and the rehearsals' keys, twice: a
	 * refusal's record is finished (and its row written) just after its answer leaves, so the last answers'
	 * may land after a first pass (seen: a finished record of a reserved user left in Redis for its 24 h), as
	 * may a rehearsed order's status log (published detached).
	 */
	@Override
	public Mono<Void> cleanUp(List<WarmUpCall.SentKey> sentKeys) {
		return deleteLeftovers(sentKeys).then(Mono.delay(LATE_WRITES)).then(deleteLeftovers(sentKeys));
	}

	private Mono<Void> deleteLeftovers(List<WarmUpCall.SentKey> sentKeys) {
		Mono<Long> rows = this.db.sql("DELETE FROM order_refusals WHERE user_id >= ?")
			.bind(0, WarmUpIdentity.FIRST_USER_ID)
			.fetch()
			.rowsUpdated();
		// read when subscribed: the second pass also finds what the rehearsals left since the first
		Mono<Long> keys = Flux.defer(() -> Flux.concat(
				Flux.fromIterable(sentKeys).map((sent) -> OrderKeys.idempotency(sent.userId(), sent.key())),
				Flux.fromIterable(this.rehearsal.leftoverKeys())))
			.buffer(500)
			.concatMap((batch) -> this.redis.delete(batch.toArray(String[]::new)))
			.reduce(0L, Long::sum);
		return Mono.when(rows, keys, this.rehearsal.forgetProducts());
	}

}
