package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import com.example.flashsale.support.admission.AnsweredFromMemory;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.redis.ChannelSubscription;
import com.example.flashsale.support.startup.WarmUpIdentity;

/**
 * Sold out from memory (docs/operations.md "Admission: rate limits, load shedding, sold out from memory",
 * ADR 0024): once an event is sold out for good, this instance answers its claims without a Redis or MySQL
 * call, with the very answer the full path gives: 410 {@code COUPON_SOLD_OUT}, or 409
 * {@code COUPON_ALREADY_ISSUED} to a holder.
 *
 * <p><b>Learning it.</b> A claim answered 410 by the full path makes the instance read the event from MySQL
 * (at most once per coupon per {@link #RELEARN_AFTER}); only when MySQL's {@code issued_count} reached the
 * total (the event is sold out for good: no coupon ever goes back to an event, Redis' {@code soldOut} never
 * resets) does it read the event's holders from MySQL and keep them, then tells the other instances on the
 * Redis channel {@code coupon-sold-out} (message: the coupon id), which learn it the same way. A message
 * missed (Redis down, an instance started later) costs speed, not correctness: that instance learns it
 * from its own first 410.
 *
 * <p><b>Same answer.</b> The full path checks the window first (403 {@code COUPON_NOT_ISSUABLE}), then the
 * holders (409), then sold out (410): outside the window the full path runs; a user among the holders read
 * from MySQL gets 409, everyone else 410. MySQL's holders are final once the event is full.
 */
@Component
class CouponSoldOut implements SmartLifecycle, AnsweredFromMemory {

	private static final Log logger = LogFactory.getLog(CouponSoldOut.class);

	/** The channel on which an instance that learnt a sold-out event tells the others. */
	static final String CHANNEL = "coupon-sold-out";

	/** A coupon whose MySQL row was not full yet is looked at again after this long at the earliest. */
	static final Duration RELEARN_AFTER = Duration.ofMillis(200);

	private static final PathPattern ISSUE = PathPatternParser.defaultInstance.parse("/api/coupons/{couponId}/issue");

	/**
	 * The largest id, spelt out: a canonical id of as many digits is a long when it sorts no higher (the
	 * warm-up's synthetic event has it: its claims take the crowd's path).
	 */
	private static final String MAX_ID = Long.toString(Long.MAX_VALUE);

	private final java.time.Clock clock;

	private final CouponRepository repository;

	private final ReactiveStringRedisTemplate redis;

	/** This instance's subscription to {@link #CHANNEL}. */
	private final ChannelSubscription subscription;

	private final boolean enabled;

	/** Events known sold out for good: the event and its holders. */
	private final Map<Long, Known> known = new ConcurrentHashMap<>();

	/** When each coupon was last looked at (System.nanoTime), so a crowd of 410s reads MySQL once. */
	private final Map<Long, Long> lastLook = new ConcurrentHashMap<>();

	CouponSoldOut(CouponRepository repository, ReactiveStringRedisTemplate redis,
			ReactiveRedisConnectionFactory connections, CouponProperties properties, java.time.Clock clock) {
		this.clock = clock;
		this.repository = repository;
		this.redis = redis;
		this.subscription = new ChannelSubscription(connections, CHANNEL, logger);
		this.enabled = properties.soldOutFromMemory();
	}

	/**
	 * The answer to {@code userId}'s claim of {@code couponId} at {@code now} when the event is known sold
	 * out: the same problem the full path would answer; null when not known (or outside the window: the full
	 * path answers that).
	 */
	ProblemException answer(long couponId, long userId, Instant now) {
		Known event = this.known.get(couponId);
		if (event == null) {
			return null;
		}
		if (!event.coupon().issuableAt(now)) {
			if (!now.isBefore(event.coupon().endsAt())) {
				// the window is over for good: nothing left to answer from memory
				this.known.remove(couponId, event);
			}
			return null;
		}
		return CouponService.problem(event.holders().contains(userId) ? new CouponIssueState.IssueDecision.Duplicate()
				: new CouponIssueState.IssueDecision.SoldOut(), couponId);
	}

	/**
	 * Whether the request is a claim this instance answers from memory now (the rate limits let it through
	 * without a Redis round trip). An id that is not canonical is left to the full path.
	 */
	@Override
	public boolean answersFromMemory(HttpMethod method, PathContainer path) {
		if (this.known.isEmpty() || !HttpMethod.POST.equals(method)) {
			return false;
		}
		PathPattern.PathMatchInfo match = ISSUE.matchAndExtract(path);
		if (match == null) {
			return false;
		}
		String id = match.getUriVariables().get("couponId");
		if (id.isEmpty() || id.length() > MAX_ID.length() || !id.chars().allMatch(Character::isDigit)
				|| id.charAt(0) == '0' || (id.length() == MAX_ID.length() && id.compareTo(MAX_ID) > 0)) {
			return false;
		}
		Known event = this.known.get(Long.parseLong(id));
		return event != null && event.coupon().issuableAt(this.clock.instant());
	}

	/** Whether this instance knows {@code couponId} is sold out for good. */
	boolean knows(long couponId) {
		return this.known.containsKey(couponId);
	}

	/** The full path answered a claim of {@code couponId} 410: look whether it is sold out for good, and tell the others. */
	void soldOutSeen(long couponId) {
		learn(couponId, true);
	}

	private void learn(long couponId, boolean tell) {
		if (!this.enabled || this.known.containsKey(couponId)) {
			return;
		}
		long now = System.nanoTime();
		Long last = this.lastLook.get(couponId);
		if (last != null && now - last < RELEARN_AFTER.toNanos()) {
			return;
		}
		if (!((last == null) ? this.lastLook.putIfAbsent(couponId, now) == null : this.lastLook.replace(couponId, last, now))) {
			return;
		}
		this.repository.findById(couponId)
			.filter((coupon) -> coupon.issuedCount() >= coupon.totalQuantity())
			.flatMap((coupon) -> this.repository.findHolderIds(couponId)
				.collect(Collectors.toUnmodifiableSet())
				.map((holders) -> new Known(coupon, holders)))
			.flatMap((event) -> {
				this.known.put(couponId, event);
				this.lastLook.remove(couponId);
				logger.info("Coupon " + couponId + " is sold out: its claims are answered from memory");
				return tell ? this.redis.convertAndSend(CHANNEL, Long.toString(couponId)).then() : Mono.<Void>empty();
			})
			.subscribe(null, (ex) -> logger.warn("Could not learn whether coupon " + couponId + " is sold out: " + ex));
	}

	/**
	 * Knows {@code coupon} sold out, with no holders, without asking MySQL or telling the other instances: the
	 * startup warm-up's synthetic event ({@link WarmUpIdentity#REMEMBERED_COUPON_ID}), whose claims then take the
	 * sold-out crowd's path. Nothing when answering from memory is off.
	 */
	void remember(Coupon coupon) {
		if (this.enabled) {
			this.known.put(coupon.id(), new Known(coupon, Set.of()));
		}
	}

	/** Forgets {@code couponId} (the warm-up's synthetic event, after the warm-up). */
	void forget(long couponId) {
		this.known.remove(couponId);
		this.lastLook.remove(couponId);
	}

	/** Forgets what this instance knew (tests). */
	void forget() {
		this.known.clear();
		this.lastLook.clear();
	}

	@Override
	public void start() {
		if (!this.enabled) {
			return;
		}
		this.subscription.start(() -> { }, (message) -> learn(Long.parseLong(message), false), Duration.ZERO);
	}

	@Override
	public void stop() {
		this.subscription.stop();
	}

	@Override
	public boolean isRunning() {
		return this.subscription.isRunning();
	}

	private record Known(Coupon coupon, Set<Long> holders) {
	}

}
