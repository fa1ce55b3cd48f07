package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.redis.LuaScripts;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * A coupon event's issue state in Redis (keys in {@link CouponKeys}, docs/redis.md "Coupon state"): the
 * window, the holders (with the token of the issue each won by), the soldOut flag, and the log of issues
 * not yet in MySQL. Remaining is derived, never stored: {@code total - holders}, 0 once soldOut. Every
 * read-modify-write is one Lua script.
 */
@Component
class CouponIssueState {

	private static final int HOLDERS_PER_CALL = 1000;

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> ISSUE = LuaScripts.COUPON_ISSUE;

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SETTLE = LuaScripts.COUPON_SETTLE;

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> VIEW = LuaScripts.COUPON_VIEW;

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> RECONCILE = LuaScripts.COUPON_RECONCILE;

	private final ReactiveStringRedisTemplate redis;

	private final Duration keepAfterWindow;

	CouponIssueState(ReactiveStringRedisTemplate redis, CouponProperties properties) {
		this.redis = redis;
		this.keepAfterWindow = properties.keepAfterWindow();
	}

	/**
	 * Decides a claim of {@code couponId} by {@code userId} at {@code now}, atomically: window,
	 * duplicate, sold out, or issued (logged for the durable write), under a fresh random token.
	 */
	Mono<IssueDecision> issue(long couponId, long userId, Instant now) {
		return issue(couponId, userId, now, newToken());
	}

	/**
	 * Decides a claim under {@code token}. Running it again with the same arguments (a re-sent command)
	 * answers what the first run answered and changes nothing.
	 */
	Mono<IssueDecision> issue(long couponId, long userId, Instant now, String token) {
		List<String> keys = List.of(CouponKeys.state(couponId), CouponKeys.holders(couponId), CouponKeys.log(couponId));
		return this.redis
			.execute(ISSUE, keys, List.of(Long.toString(userId), Long.toString(now.toEpochMilli()), token))
			.next()
			.map((result) -> IssueDecision.of(couponId, userId, now, token, result));
	}

	/**
	 * Installs {@code coupon}'s state unless present: the holders durable in MySQL go to the holders hash
	 * first (values of holders already there are kept), then the state hash (see
	 * {@code coupon-install.lua}).
	 * @return true when this call installed it
	 */
	Mono<Boolean> install(Coupon coupon, Flux<Long> holders) {
		long expireAt = expireAt(coupon);
		return addHolders(coupon.id(), expireAt, holders)
			.then(this.redis.execute(LuaScripts.COUPON_INSTALL,
					List.of(CouponKeys.state(coupon.id()), CouponKeys.holders(coupon.id())),
					List.of(Integer.toString(coupon.totalQuantity()), Long.toString(coupon.startsAt().toEpochMilli()),
							Long.toString(coupon.endsAt().toEpochMilli()),
							(coupon.status() == CouponStatus.ACTIVE) ? "1" : "0",
							Long.toString(Duration.ofDays(coupon.validDays()).toMillis()), Long.toString(expireAt),
							(coupon.issuedCount() >= coupon.totalQuantity()) ? "1" : "0"))
				.next())
			.map((installed) -> installed == 1L);
	}

	/**
	 * Adds user ids that hold the coupon in MySQL to its holders, keeping values already there.
	 * @return how many were missing
	 */
	Mono<Long> addHolders(long couponId, long expireAt, Flux<Long> holders) {
		return holders.map(String::valueOf)
			.buffer(HOLDERS_PER_CALL)
			.concatMap((batch) -> {
				List<String> args = new ArrayList<>(batch.size() + 1);
				args.add(Long.toString(expireAt));
				args.addAll(batch);
				return this.redis.execute(LuaScripts.COUPON_ADD_HOLDERS, List.of(CouponKeys.holders(couponId)), args);
			})
			.reduce(0L, Long::sum);
	}

	/**
	 * Brings Redis in line with one commit of {@code couponId} (see {@code coupon-settle.lua}): the users
	 * who hold a row become holders, the refused ones stop being holders, the log entries go.
	 * @param holders user id -> holder value of every user of the commit who holds a row
	 * @param refused the issues MySQL refused because the coupon was full
	 * @param soldOut whether MySQL's issued_count reached the total
	 * @return how many holders were missing (non-zero only after Redis lost data mid-commit)
	 */
	Mono<Long> settle(long couponId, long expireAt, Map<Long, String> holders, List<PendingIssue> refused,
			List<String> logEntryIds, boolean soldOut) {
		List<String> args = new ArrayList<>();
		args.add(Long.toString(expireAt));
		args.add(soldOut ? "1" : "0");
		args.add(Integer.toString(holders.size()));
		holders.forEach((user, value) -> {
			args.add(Long.toString(user));
			args.add(value);
		});
		List<PendingIssue> removable = refused.stream().filter((issue) -> issue.token() != null).toList();
		args.add(Integer.toString(removable.size()));
		removable.forEach((issue) -> {
			args.add(Long.toString(issue.userId()));
			args.add(issue.token());
		});
		args.addAll(logEntryIds);
		return this.redis
			.execute(SETTLE, List.of(CouponKeys.state(couponId), CouponKeys.holders(couponId), CouponKeys.log(couponId)),
					args)
			.next()
			.map((result) -> (Long) result.get(0));
	}

	/** Records a failed commit of {@code couponId} in its state, for the operators. */
	Mono<Long> commitFailed(long couponId, Instant now, String reason) {
		return this.redis.execute(LuaScripts.COUPON_COMMIT_FAILED, List.of(CouponKeys.state(couponId)),
				List.of(Long.toString(now.toEpochMilli()), reason))
			.next();
	}

	/** The event's Redis state as the operators see it, empty when it is not installed. */
	Mono<StateView> view(long couponId) {
		return this.redis
			.execute(VIEW, List.of(CouponKeys.state(couponId), CouponKeys.holders(couponId), CouponKeys.log(couponId)),
					List.of())
			.next()
			.filter((fields) -> !fields.isEmpty())
			.map(StateView::of);
	}

	/** Every holder of {@code couponId} in Redis with its value. */
	Mono<Map<Long, String>> holders(long couponId) {
		return this.redis.<String, String>opsForHash()
			.scan(CouponKeys.holders(couponId), ScanOptions.scanOptions().count(1000).build())
			.collectMap((entry) -> Long.valueOf(entry.getKey()), Map.Entry::getValue);
	}

	/**
	 * The reconciler's compare-and-set (see {@code coupon-reconcile.lua}): removes each stray holder whose
	 * value is still {@code strays}' and sets soldOut when {@code soldOut}.
	 * @return {holders removed, 1 if soldOut was set now}
	 */
	Mono<List<Long>> reconcile(long couponId, boolean soldOut, Map<Long, String> strays) {
		List<String> args = new ArrayList<>();
		args.add(soldOut ? "1" : "0");
		strays.forEach((user, value) -> {
			args.add(Long.toString(user));
			args.add(value);
		});
		return this.redis
			.execute(RECONCILE, List.of(CouponKeys.state(couponId), CouponKeys.holders(couponId)), args)
			.next()
			.map((result) -> List.of((Long) result.get(0), (Long) result.get(1)));
	}

	/** The coupon ids that have an issue log in Redis. */
	Flux<Long> loggedCouponIds() {
		return this.redis.scan(ScanOptions.scanOptions().match(CouponKeys.LOG_PATTERN).count(500).build())
			.map(CouponKeys::couponIdOfLog)
			.filter((id) -> id > 0);
	}

	/** The coupon ids that have a state hash in Redis. */
	Flux<Long> stateCouponIds() {
		return this.redis.scan(ScanOptions.scanOptions().match(CouponKeys.STATE_PATTERN).count(500).build())
			.map(CouponKeys::couponIdOfState)
			// the warm-up's synthetic event has no MySQL row to reconcile with (CouponWarmUpFixture)
			.filter((id) -> id > 0 && id != WarmUpIdentity.COUPON_ID);
	}

	/** Up to {@code limit} log entries of {@code couponId} decided at or before {@code cutoff}, oldest first. */
	Flux<PendingIssue> loggedBefore(long couponId, Instant cutoff, int limit) {
		return this.redis.opsForStream()
			.range(CouponKeys.log(couponId), Range.closed("-", Long.toString(cutoff.toEpochMilli())),
					Limit.limit().count(limit))
			.map((entry) -> pendingIssue(couponId, entry));
	}

	/** Every entry of {@code couponId}'s log, oldest first. */
	Flux<PendingIssue> logged(long couponId) {
		return this.redis.opsForStream()
			.range(CouponKeys.log(couponId), Range.unbounded())
			.map((entry) -> pendingIssue(couponId, entry));
	}

	/** When {@code coupon}'s keys may expire: {@code keepAfterWindow} after its window ends. */
	long expireAt(Coupon coupon) {
		return expireAt(coupon.endsAt());
	}

	/** When the keys of a coupon whose window ends at {@code endsAt} may expire. */
	long expireAt(Instant endsAt) {
		return endsAt.plus(this.keepAfterWindow).toEpochMilli();
	}

	private static PendingIssue pendingIssue(long couponId, MapRecord<String, Object, Object> entry) {
		return new PendingIssue(couponId, Long.parseLong((String) entry.getValue().get("user")),
				Instant.ofEpochMilli(Long.parseLong((String) entry.getValue().get("issuedAt"))),
				Instant.ofEpochMilli(Long.parseLong((String) entry.getValue().get("expiresAt"))),
				entry.getId().getValue(), (String) entry.getValue().get("token"));
	}

	/** A claim's token: it only has to differ from other claims' tokens; not a secret, so no SecureRandom. */
	private static String newToken() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
	}

	/**
	 * A coupon's Redis state as {@code coupon-view.lua} reads it.
	 * @param fields the state hash (window, {@code n:<OUTCOME>} counts, soldOut, commit failures)
	 * @param holders users in the holders hash
	 * @param uncommitted entries in the log
	 */
	record StateView(Map<String, String> fields, long holders, long uncommitted) {

		static StateView of(List<?> flat) {
			Map<String, String> fields = new LinkedHashMap<>();
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				fields.put((String) flat.get(i), (String) flat.get(i + 1));
			}
			long holders = Long.parseLong(fields.remove("holders"));
			long uncommitted = Long.parseLong(fields.remove("uncommitted"));
			return new StateView(fields, holders, uncommitted);
		}

		/** What Redis has left to give: 0 once MySQL is full, else total - holders (never negative). */
		long remaining() {
			if ("1".equals(this.fields.get("soldOut"))) {
				return 0;
			}
			return Math.max(0, Long.parseLong(this.fields.get("total")) - this.holders);
		}

		/** Failed commits since the last successful one. */
		int commitFailures() {
			String failures = this.fields.get("commitFailures");
			return (failures != null) ? Integer.parseInt(failures) : 0;
		}

		/** {@code <epoch ms> <reason>} of the last failed commit, null when the last commit succeeded. */
		String lastCommitFailure() {
			return this.fields.get("lastCommitFailure");
		}

		/** Claims decided in Redis by outcome since the state was installed. */
		Map<String, Long> outcomes() {
			Map<String, Long> outcomes = new TreeMap<>();
			this.fields.forEach((field, value) -> {
				if (field.startsWith("n:")) {
					outcomes.put(field.substring(2), Long.valueOf(value));
				}
			});
			return outcomes;
		}

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

		private static IssueDecision of(long couponId, long userId, Instant now, String token, List<?> result) {
			return switch ((String) result.get(0)) {
				case "MISSING" -> new Missing();
				case "NOT_ISSUABLE" -> new NotIssuable();
				case "DUPLICATE" -> new Duplicate();
				case "SOLD_OUT" -> new SoldOut();
				case "ISSUED" -> new Issued(new PendingIssue(couponId, userId, Instant.ofEpochMilli(now.toEpochMilli()),
						Instant.ofEpochMilli(Long.parseLong((String) result.get(2))), (String) result.get(1), token));
				default -> throw new IllegalStateException("Unexpected coupon-issue result " + result);
			};
		}

	}

}
