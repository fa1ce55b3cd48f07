package com.example.flashsale.support.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.DigestUtils;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The registry of the service's Lua scripts ({@code src/main/resources/redis/*.lua}; docs/redis.md): each
 * loaded once, when this class is initialised at startup, with its SHA-1 computed then. Spring's
 * {@code DefaultRedisScript} reads its resource lazily and guards its SHA with a lock taken on every call,
 * which parks event-loop threads under contention (BlockHound reports it); the scripts here are
 * immutable, so EVALSHA on the event loop never blocks. Every script is used through its constant here.
 */
public final class LuaScripts {

	/** Read-through cache: the value, or a load lease ({@code ReadThroughCache}). */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> CACHE_GET = load("cache-get", List.class);

	/** Read-through cache: store a loaded value if its version is still current. */
	public static final RedisScript<Long> CACHE_PUT = load("cache-put", Long.class);

	/** Read-through cache: bump the version, then delete the value. */
	public static final RedisScript<Long> CACHE_EVICT = load("cache-evict", Long.class);

	/** Coupon: decide a claim (window, duplicate, sold out, issued and logged). */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> COUPON_ISSUE = load("coupon-issue", List.class);

	/** Coupon: install an event's state from MySQL unless present. */
	public static final RedisScript<Long> COUPON_INSTALL = load("coupon-install", Long.class);

	/** Coupon: add holders durable in MySQL to an event's holders, keeping values already there. */
	public static final RedisScript<Long> COUPON_ADD_HOLDERS = load("coupon-add-holders", Long.class);

	/** Coupon: bring the state in line with one commit (holders, refused issues, soldOut, log). */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> COUPON_SETTLE = load("coupon-settle", List.class);

	/** Coupon: record a failed commit for the operators. */
	public static final RedisScript<Long> COUPON_COMMIT_FAILED = load("coupon-commit-failed", Long.class);

	/** Coupon: read an event's state, holder count and log length. */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> COUPON_VIEW = load("coupon-view", List.class);

	/** Coupon: the reconciler's compare-and-set of stray holders and the soldOut flag. */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> COUPON_RECONCILE = load("coupon-reconcile", List.class);

	/** Order: claim an Idempotency-Key, or read its record. */
	public static final RedisScript<String> IDEMPOTENCY_CLAIM = load("idempotency-claim", String.class);

	/** Order: store a claimed key's answer. */
	public static final RedisScript<Long> IDEMPOTENCY_FINISH = load("idempotency-finish", Long.class);

	/** Lock: {@code SET key token NX PX ttl}. */
	public static final RedisScript<Long> LOCK_ACQUIRE = load("lock-acquire", Long.class);

	/** Lock (and an abandoned idempotency claim): delete the key only while it holds the caller's value. */
	public static final RedisScript<Long> COMPARE_AND_DELETE = load("lock-release", Long.class);

	/** Order: append a status change to the order's log and publish it. */
	public static final RedisScript<String> ORDER_STATUS_PUBLISH = load("order-status-publish", String.class);

	/** Stock: move the sellable stock by an admin's delta. */
	public static final RedisScript<Long> STOCK_ADJUST = load("stock-adjust", Long.class);

	/** Stock: set missing sellable-stock keys from MySQL, unless another load installed one since this one's read. */
	public static final RedisScript<Long> STOCK_LOAD = load("stock-load", Long.class);

	/** Stock: reserve every line of an order, all or nothing. */
	public static final RedisScript<Long> STOCK_RESERVE = load("stock-reserve", Long.class);

	/** Stock: give a reservation back, at most once. */
	public static final RedisScript<Long> STOCK_RELEASE = load("stock-release", Long.class);

	/** Stock: set the sellable stock to the reconciler's expected value if it still is the value observed. */
	public static final RedisScript<Long> STOCK_REPAIR = load("stock-repair", Long.class);

	/** Waiting room: take a ticket (one per user per room), or get one's own back. */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> ROOM_TICKET = load("room-ticket", List.class);

	/** Waiting room: shuffle the pre-queue at the opening, drop abandoned tickets, admit at the room's rate. */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> ROOM_ADMIT = load("room-admit", List.class);

	/** Waiting room: where the tickets of the open streams stand; marks them heard of. */
	@SuppressWarnings("rawtypes")
	public static final RedisScript<List> ROOM_POLL = load("room-poll", List.class);

	/** Waiting room: spend an admission token once (a retry of the same request is accepted again). */
	public static final RedisScript<Long> ROOM_CONSUME = load("room-consume", Long.class);

	/** Claims this Redis for one MySQL database, or names the database that holds it ({@link RedisOwnership}). */
	public static final RedisScript<String> DATABASE_CLAIM = load("database-claim", String.class);

	/** Every script above. */
	public static final List<RedisScript<?>> ALL = List.of(CACHE_GET, CACHE_PUT, CACHE_EVICT, COUPON_ISSUE,
			COUPON_INSTALL, COUPON_ADD_HOLDERS, COUPON_SETTLE, COUPON_COMMIT_FAILED, COUPON_VIEW, COUPON_RECONCILE,
			IDEMPOTENCY_CLAIM, IDEMPOTENCY_FINISH, LOCK_ACQUIRE, COMPARE_AND_DELETE,
			ORDER_STATUS_PUBLISH, STOCK_ADJUST, STOCK_LOAD, STOCK_RESERVE, STOCK_RELEASE, STOCK_REPAIR,
			ROOM_TICKET, ROOM_ADMIT, ROOM_POLL, ROOM_CONSUME, DATABASE_CLAIM);

	private LuaScripts() {
	}

	private static <T> RedisScript<T> load(String name, Class<T> resultType) {
		try {
			String source = new ClassPathResource("redis/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
			return new LoadedScript<>(name, source, DigestUtils.sha1DigestAsHex(source), resultType);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read Lua script " + name, ex);
		}
	}

	/**
	 * A script and its precomputed SHA-1.
	 * @param name the resource's base name, {@code redis/<name>.lua}
	 */
	public record LoadedScript<T>(String name, String source, String sha1, Class<T> resultType) implements RedisScript<T> {

		@Override
		public String getSha1() {
			return this.sha1;
		}

		@Override
		public Class<T> getResultType() {
			return this.resultType;
		}

		@Override
		public String getScriptAsString() {
			return this.source;
		}

	}

}
