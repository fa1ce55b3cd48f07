package com.example.flashsale.support.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import com.example.flashsale.support.redis.LuaScripts;

/**
 * One cache of JSON values in Redis, shared by every instance, read through to a loader (the database)
 * on a miss. Made by {@link ReadThroughCaches}; every cached read of the service goes through one of
 * these, so the rules below hold everywhere:
 * <ul>
 * <li><b>Stampede-safe.</b> Concurrent misses of one key in this JVM share one lookup; across
 * instances, one caller gets a load lease ({@code {key}:lease}, {@code SET NX PX}) and the others poll
 * for its value. A cold key under a burst costs one database load, not one per request.</li>
 * <li><b>No stale value after an eviction.</b> {@link #evict} bumps the key's version
 * ({@code {key}:version}) before deleting the value, and a load stores its result only if the version
 * it began at is still current, so a load that read the database before a change never overwrites the
 * eviction.</li>
 * <li><b>No stale value across an uncommitted change.</b> {@link #hold} (inside the change's
 * transaction) also sets {@code {key}:hold}: until the eviction after the commit, or its expiry, reads are
 * served from the loader and nothing is stored.</li>
 * <li><b>Degrades without Redis.</b> A Redis error or a reply slower than
 * {@code app.cache.redis-timeout} serves the value straight from the loader (logged at most every
 * 10 s per cache, counted), instead of failing the request.</li>
 * <li>An empty loader result is cached as JSON {@code null} for {@code absentTtl} (zero: not
 * cached).</li>
 * <li><b>Evictions of a hot key go together.</b> {@link #evictTogether} lets the callers that evict one key
 * while an eviction of it is running share the next one, which starts when the running one ends: each
 * caller still waits for an eviction that started after it asked.</li>
 * </ul>
 * The three keys of an entry share a hash tag equal to the value key, so cache keys must not contain
 * braces. Meters: {@code flashsale.cache.requests} (tags {@code cache}, {@code result=hit|miss}),
 * {@code flashsale.cache.loads}, {@code flashsale.cache.redis.failures}.
 *
 * @param <T> the cached type, a JSON-mappable record or class
 */
public final class ReadThroughCache<T> {

	private static final Log logger = LogFactory.getLog(ReadThroughCache.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> GET = LuaScripts.CACHE_GET;

	private static final RedisScript<Long> PUT = LuaScripts.CACHE_PUT;

	private static final RedisScript<Long> EVICT = LuaScripts.CACHE_EVICT;

	private static final Duration VERSION_TTL = Duration.ofDays(1);

	private static final long LOG_EVERY_MS = 10_000;

	private final String name;

	private final Class<T> type;

	private final Duration ttl;

	private final Duration absentTtl;

	private final CacheProperties settings;

	private final ReactiveStringRedisTemplate redis;

	private final JsonMapper json;

	private final Map<String, Flight> inFlight = new ConcurrentHashMap<>();

	private final Map<String, Evictions> evictions = new ConcurrentHashMap<>();

	private final Counter hits;

	private final Counter misses;

	private final Counter loads;

	private final Counter redisFailures;

	private final AtomicLong lastFailureLog = new AtomicLong();

	ReadThroughCache(String name, Class<T> type, Duration ttl, Duration absentTtl, CacheProperties settings,
			ReactiveStringRedisTemplate redis, JsonMapper json, MeterRegistry meters) {
		this.name = name;
		this.type = type;
		this.ttl = ttl;
		this.absentTtl = absentTtl;
		this.settings = settings;
		this.redis = redis;
		this.json = json;
		this.hits = meters.counter("flashsale.cache.requests", "cache", name, "result", "hit");
		this.misses = meters.counter("flashsale.cache.requests", "cache", name, "result", "miss");
		this.loads = meters.counter("flashsale.cache.loads", "cache", name);
		this.redisFailures = meters.counter("flashsale.cache.redis.failures", "cache", name);
	}

	/**
	 * The value cached at {@code key}, or {@code loader}'s value (cached for the TTL) when there is none.
	 * @param key the Redis key, without braces (e.g. {@code products:all})
	 * @param loader the source of truth; empty means "no such value"
	 * @return the value, empty when the loader found none; the loader's errors are passed on
	 */
	public Mono<T> get(String key, Supplier<Mono<T>> loader) {
		return Mono.defer(() -> this.inFlight.computeIfAbsent(key, (k) -> new Flight(k, loader)).result)
			.flatMap(Mono::justOrEmpty);
	}

	/**
	 * Evicts {@code key} in Redis and in this JVM, and ends a {@link #hold} of it; a load already running
	 * for it will not store its result. Fails when Redis does: the caller decides whether that is fatal.
	 */
	public Mono<Void> evict(String key) {
		return evict(key, Duration.ZERO);
	}

	/**
	 * Evicts {@code key} like {@link #evict}, sharing the Redis call with the other callers that evict it at
	 * the same time (docs/redis.md "Caches"): with no eviction of {@code key} running, one starts
	 * at once; otherwise the caller waits for the next one, which starts when the running one ends and
	 * serves every caller that asked meanwhile. So each caller's eviction starts after its call, and what it
	 * changed before calling is never left cached, as with {@link #evict}. For the evictions after every
	 * sale of a product, where many orders of one product end within one Redis round trip. The eviction
	 * runs even if the caller stops waiting. Fails when that eviction's Redis call does.
	 */
	public Mono<Void> evictTogether(String key) {
		return Mono.defer(() -> {
			this.inFlight.remove(key);
			return this.evictions.computeIfAbsent(key, Evictions::new).join();
		});
	}

	/**
	 * Evicts {@code key} before a change of its source commits (inside the database transaction), and
	 * holds it: until {@link #evict} after the commit, or at most {@code app.cache.hold}, reads go to the
	 * loader and nothing is stored, so a read between the change and its commit cannot cache the old
	 * value. Fails when Redis does.
	 */
	public Mono<Void> hold(String key) {
		return evict(key, this.settings.hold());
	}

	/**
	 * Deletes {@code key}'s entry and every bookkeeping key of it (version, lease, hold) in Redis and
	 * forgets it in this JVM: for keys that must leave no trace, like the startup warm-up's
	 * (docs/operations.md "Cold start"). Fails when Redis does.
	 */
	public Mono<Void> remove(String key) {
		return Mono.defer(() -> {
			this.inFlight.remove(key);
			return this.redis.delete(key, versionKey(key), leaseKey(key), holdKey(key)).then();
		});
	}

	private Mono<Void> evict(String key, Duration hold) {
		return Mono.defer(() -> {
			this.inFlight.remove(key);
			return this.redis
				.execute(EVICT, List.of(key, versionKey(key), holdKey(key)),
						List.of(Long.toString(VERSION_TTL.toMillis()), Long.toString(hold.toMillis())))
				.then();
		});
	}

	/**
	 * The evictions of one key by {@link #evictTogether}: at most one running, and the callers that came
	 * while it runs gathered for the next. Removed from the map when the last one ends with nobody waiting.
	 */
	private final class Evictions {

		private final String key;

		/** An eviction of the key is running. */
		private boolean running;

		/** The callers of the next eviction, or null when none came while the running one runs. */
		private Sinks.Empty<Void> next;

		Evictions(String key) {
			this.key = key;
		}

		Mono<Void> join() {
			Sinks.Empty<Void> group;
			boolean start;
			synchronized (this) {
				if (ReadThroughCache.this.evictions.get(this.key) != this) {
					// ended and removed between the map lookup and this lock: evict through a fresh entry
					return evictTogether(this.key);
				}
				start = !this.running;
				if (start) {
					this.running = true;
					group = Sinks.empty();
				}
				else {
					if (this.next == null) {
						this.next = Sinks.empty();
					}
					group = this.next;
				}
			}
			if (start) {
				run(group);
			}
			return group.asMono();
		}

		private void run(Sinks.Empty<Void> group) {
			evict(this.key, Duration.ZERO).subscribe(null, (error) -> {
				startNext();
				group.tryEmitError(error);
			}, () -> {
				startNext();
				group.tryEmitEmpty();
			});
		}

		private void startNext() {
			Sinks.Empty<Void> waiting;
			synchronized (this) {
				waiting = this.next;
				this.next = null;
				if (waiting == null) {
					this.running = false;
					ReadThroughCache.this.evictions.remove(this.key, this);
					return;
				}
			}
			run(waiting);
		}

	}

	/** One lookup shared by every caller that asks for the same key while it runs. */
	private final class Flight {

		private final Mono<Optional<T>> result;

		Flight(String key, Supplier<Mono<T>> loader) {
			this.result = lookup(key, loader, this.leaseToken(), 0)
				// out of the map before its answer is passed on: a caller that comes after an answer was seen
				// (after a change committed, say) starts a lookup of its own instead of getting this one
				.doOnEach((signal) -> {
					if (signal.isOnNext() || signal.isOnComplete() || signal.isOnError()) {
						ReadThroughCache.this.inFlight.remove(key, this);
					}
				})
				.doFinally((signal) -> ReadThroughCache.this.inFlight.remove(key, this))
				.cache();
		}

		private String leaseToken() {
			return Long.toHexString(ThreadLocalRandom.current().nextLong());
		}

	}

	private Mono<Optional<T>> lookup(String key, Supplier<Mono<T>> loader, String token, int polls) {
		return redisCall(this.redis.execute(GET, List.of(key, versionKey(key), leaseKey(key), holdKey(key)),
				List.of(token, Long.toString(this.settings.lease().toMillis())))
			.next())
			.flatMap((reply) -> {
				String outcome = (String) reply.get(0);
				String payload = (String) reply.get(1);
				if ("HIT".equals(outcome)) {
					Optional<T> value = decode(key, payload);
					if (value != null) {
						if (polls == 0) {
							this.hits.increment();
						}
						return Mono.just(value);
					}
					// unreadable (written by an older version of the type): drop it and look again
					return redisCall(evict(key)).then(lookup(key, loader, token, polls + 1));
				}
				if (polls == 0) {
					this.misses.increment();
				}
				if ("HOLD".equals(outcome)) {
					// a change is about to commit: serve the database's value, store nothing
					return load(loader);
				}
				if ("LOAD".equals(outcome) || polls >= maxPolls()) {
					// a waiter that outlived the lease loads too, but still stores only if no eviction happened
					return loadAndStore(key, loader, payload, "LOAD".equals(outcome) ? token : "");
				}
				return Mono.delay(this.settings.pollInterval(), Schedulers.parallel())
					.then(lookup(key, loader, token, polls + 1));
			})
			.onErrorResume(RedisUnavailable.class, (ex) -> {
				redisFailed(key, ex.getCause());
				return load(loader);
			});
	}

	private Mono<Optional<T>> loadAndStore(String key, Supplier<Mono<T>> loader, String version, String token) {
		return load(loader).onErrorResume((ex) -> {
			// give the lease back at once, so other instances load instead of waiting it out
			return token.isEmpty() ? Mono.error(ex) : put(key, version, "null", Duration.ZERO, token).then(Mono.error(ex));
		}).flatMap((value) -> {
			Duration keep = value.isPresent() ? this.ttl : this.absentTtl;
			if (keep.isZero() && token.isEmpty()) {
				return Mono.just(value);
			}
			return put(key, version, encode(value), keep, token).thenReturn(value);
		});
	}

	/** Stores {@code json} unless evicted since {@code version} (TTL zero: only gives the lease back). */
	private Mono<Void> put(String key, String version, String json, Duration keep, String token) {
		return redisCall(this.redis.execute(PUT, List.of(key, versionKey(key), leaseKey(key), holdKey(key)),
				List.of(version, json, Long.toString(keep.toMillis()), token))
			.next())
			.then()
			.onErrorResume(RedisUnavailable.class, (ex) -> {
				redisFailed(key, ex.getCause());
				return Mono.empty();
			});
	}

	private Mono<Optional<T>> load(Supplier<Mono<T>> loader) {
		return Mono.defer(() -> {
			this.loads.increment();
			return loader.get().map(Optional::of).defaultIfEmpty(Optional.empty());
		});
	}

	/** Marks failures of a Redis call (including a reply slower than the timeout) as {@link RedisUnavailable}. */
	private <R> Mono<R> redisCall(Mono<R> call) {
		return call.timeout(this.settings.redisTimeout(), Schedulers.parallel())
			.onErrorMap((ex) -> new RedisUnavailable(ex));
	}

	private void redisFailed(String key, Throwable cause) {
		this.redisFailures.increment();
		long now = System.currentTimeMillis();
		long last = this.lastFailureLog.get();
		if (now - last >= LOG_EVERY_MS && this.lastFailureLog.compareAndSet(last, now)) {
			logger.warn("Cache " + this.name + " degraded: Redis failed for " + key
					+ ", serving from the database (logged at most every 10 s): " + cause);
		}
	}

	private long maxPolls() {
		return Math.max(1, this.settings.lease().toMillis() / Math.max(1, this.settings.pollInterval().toMillis()));
	}

	/** The cached value, or null when the stored JSON does not fit the type any more. */
	private Optional<T> decode(String key, String payload) {
		try {
			return Optional.ofNullable(this.json.readValue(payload, this.type));
		}
		catch (JacksonException ex) {
			logger.warn("Cache " + this.name + ": dropping unreadable value at " + key + ": " + ex.getOriginalMessage());
			return null;
		}
	}

	private String encode(Optional<T> value) {
		return value.isPresent() ? this.json.writeValueAsString(value.get()) : "null";
	}

	private static String versionKey(String key) {
		return "{" + key + "}:version";
	}

	private static String leaseKey(String key) {
		return "{" + key + "}:lease";
	}

	private static String holdKey(String key) {
		return "{" + key + "}:hold";
	}

	/** A Redis call of this cache failed or timed out; the request is served from the loader. */
	private static final class RedisUnavailable extends RuntimeException {

		RedisUnavailable(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

}
