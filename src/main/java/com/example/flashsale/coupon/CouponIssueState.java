package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.LuaScripts;

/**
 * A coupon event's issue state in Redis (keys in {@link CouponKeys}): remaining quantity, holders, and
 * the log of issues not yet in MySQL. Every read-modify-write is one Lua script.
 */
@Component
class CouponIssueState {

	private static final int HOLDERS_PER_SADD = 1000;

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> ISSUE = LuaScripts.COUPON_ISSUE;

	private static final RedisScript<Long> INSTALL = LuaScripts.COUPON_INSTALL;

	private static final RedisScript<Long> CONFIRM = LuaScripts.COUPON_CONFIRM;

	private final ReactiveStringRedisTemplate redis;

	private final Duration keepAfterWindow;

	CouponIssueState(ReactiveStringRedisTemplate redis, CouponProperties properties) {
		this.redis = redis;
		this.keepAfterWindow = properties.keepAfterWindow();
	}

	/**
	 * Decides a claim of {@code couponId} by {@code userId} at {@code now}, atomically: window,
	 * duplicate, sold out, or issued (logged for the durable write).
	 */
	Mono<IssueDecision> issue(long couponId, long userId, Instant now) {
		List<String> keys = List.of(CouponKeys.state(couponId), CouponKeys.issued(couponId), CouponKeys.log(couponId));
		return this.redis.execute(ISSUE, keys, List.of(Long.toString(userId), Long.toString(now.toEpochMilli())))
			.next()
			// the connection's single I/O thread must only read replies; everything after runs elsewhere
			.publishOn(Schedulers.parallel())
			.map((result) -> IssueDecision.of(couponId, userId, now, result));
	}

	/**
	 * Installs {@code coupon}'s state unless present: the holders durable in MySQL go to the issued set
	 * first, then remaining = total - holders in the set (see {@code coupon-install.lua}).
	 * @return true when this call installed it
	 */
	Mono<Boolean> install(Coupon coupon, Flux<Long> holders) {
		String issuedKey = CouponKeys.issued(coupon.id());
		return holders.map(String::valueOf)
			.buffer(HOLDERS_PER_SADD)
			.concatMap((batch) -> this.redis.opsForSet().add(issuedKey, batch.toArray(String[]::new)))
			.then(this.redis.execute(INSTALL, List.of(CouponKeys.state(coupon.id()), issuedKey),
					List.of(Integer.toString(coupon.totalQuantity()), Long.toString(coupon.startsAt().toEpochMilli()),
							Long.toString(coupon.endsAt().toEpochMilli()),
							(coupon.status() == CouponStatus.ACTIVE) ? "1" : "0",
							Long.toString(Duration.ofDays(coupon.validDays()).toMillis()),
							Long.toString(coupon.endsAt().plus(this.keepAfterWindow).toEpochMilli())))
				.next())
			.map((installed) -> installed == 1L);
	}

	/**
	 * Makes sure holders just committed to MySQL are holders in Redis too (see {@code coupon-confirm.lua}).
	 * @return how many were missing (non-zero only after Redis lost its data mid-commit)
	 */
	Mono<Long> confirm(long couponId, List<Long> userIds) {
		return this.redis
			.execute(CONFIRM, List.of(CouponKeys.state(couponId), CouponKeys.issued(couponId)),
					userIds.stream().map(String::valueOf).toList())
			.next();
	}

	/** The remaining quantity as Redis has it, empty when the state is not loaded. */
	Mono<Long> remaining(long couponId) {
		return this.redis.<String, String>opsForHash().get(CouponKeys.state(couponId), "remaining").map(Long::valueOf);
	}

	/**
	 * The event's state hash as Redis has it: {@code remaining}, the window, and the outcome counts
	 * {@code n:<OUTCOME>} the issue script keeps; empty when the state is not loaded.
	 */
	Mono<Map<String, String>> stateFields(long couponId) {
		return this.redis.<String, String>opsForHash()
			.entries(CouponKeys.state(couponId))
			.collectMap(Map.Entry::getKey, Map.Entry::getValue)
			.filter((fields) -> !fields.isEmpty());
	}

	/** The coupon ids that have an issue log in Redis. */
	Flux<Long> loggedCouponIds() {
		return this.redis.scan(ScanOptions.scanOptions().match(CouponKeys.LOG_PATTERN).count(500).build())
			.map(CouponKeys::couponIdOfLog)
			.filter((id) -> id > 0);
	}

	/** Up to {@code limit} log entries of {@code couponId} decided at or before {@code cutoff}, oldest first. */
	Flux<PendingIssue> loggedBefore(long couponId, Instant cutoff, int limit) {
		return this.redis.opsForStream()
			.range(CouponKeys.log(couponId), Range.closed("-", Long.toString(cutoff.toEpochMilli())),
					Limit.limit().count(limit))
			.map((entry) -> pendingIssue(couponId, entry));
	}

	/** Removes committed entries from the coupon's log. */
	Mono<Long> forget(long couponId, List<String> logEntryIds) {
		return this.redis.opsForStream()
			.delete(CouponKeys.log(couponId), logEntryIds.stream().map(RecordId::of).toArray(RecordId[]::new));
	}

	private static PendingIssue pendingIssue(long couponId, MapRecord<String, Object, Object> entry) {
		return new PendingIssue(couponId, Long.parseLong((String) entry.getValue().get("user")),
				Instant.ofEpochMilli(Long.parseLong((String) entry.getValue().get("issuedAt"))),
				Instant.ofEpochMilli(Long.parseLong((String) entry.getValue().get("expiresAt"))),
				entry.getId().getValue());
	}

	/** The outcome of the issue script. */
	sealed interface IssueDecision {

		/** The coupon's state is not in Redis: load it from MySQL, then decide again. */
		record Missing() implements IssueDecision {
		}

		/** Outside the window or the event is inactive: 403. */
		record NotIssuable() implements IssueDecision {
		}

		/** The user already holds the coupon: 409. */
		record Duplicate() implements IssueDecision {
		}

		/** No coupons left: 410. */
		record SoldOut() implements IssueDecision {
		}

		/** Issued in Redis and logged; must now be committed to MySQL. */
		record Issued(PendingIssue issue) implements IssueDecision {
		}

		private static IssueDecision of(long couponId, long userId, Instant now, List<?> result) {
			return switch ((String) result.get(0)) {
				case "MISSING" -> new Missing();
				case "NOT_ISSUABLE" -> new NotIssuable();
				case "DUPLICATE" -> new Duplicate();
				case "SOLD_OUT" -> new SoldOut();
				case "ISSUED" -> new Issued(new PendingIssue(couponId, userId, Instant.ofEpochMilli(now.toEpochMilli()),
						Instant.ofEpochMilli(Long.parseLong((String) result.get(2))), (String) result.get(1)));
				default -> throw new IllegalStateException("Unexpected coupon-issue result " + result);
			};
		}

	}

}
