package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.startup.StartupRefusedException;
import com.example.flashsale.support.startup.StartupTask;

/**
 * Binds the Redis the service caches in to its MySQL database (docs/redis.md "One Redis, one database"),
 * first of the startup tasks: the database's identity ({@code database_identity}, a random id made by its
 * migration) is written at {@link #KEY} when Redis has none, and a Redis that holds another database's
 * identity is not used as it is. Its keys would be taken for this database's: a coupon event under the
 * same id sold out at once, a reservation record under a reused order id taken for that order's own (its
 * stock never taken).
 *
 * <p>What happens then is {@code app.redis.foreign-data}: {@link ForeignData#REFUSE} (the default) stops the
 * start with {@link StartupRefusedException}, naming both databases; {@link ForeignData#FLUSH} (the
 * {@code local} and test profiles) empties the Redis database (every master of a cluster) and claims it:
 * everything in it is rebuilt from MySQL, as after a loss. A Redis or MySQL that does not answer is
 * logged and skipped: the service starts degraded, as it would without this check.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RedisOwnership implements StartupTask {

	private static final Log logger = LogFactory.getLog(RedisOwnership.class);

	/** Where Redis keeps the identity of the database it caches. */
	public static final String KEY = "flashsale:database";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** What to do with a Redis that caches another database. */
	public enum ForeignData {

		/** Stop the start: an operator points the service at the right Redis, or empties this one. */
		REFUSE,

		/** Empty the Redis database and take it: for development and benchmarks on a shared Redis. */
		FLUSH

	}

	private final ReactiveStringRedisTemplate redis;

	private final DatabaseClient db;

	private final ForeignData policy;

	/**
	 * @param redis the Redis to claim
	 * @param db the database whose identity it is claimed for
	 * @param properties {@code app.redis.foreign-data}
	 */
	@Autowired
	public RedisOwnership(ReactiveStringRedisTemplate redis, DatabaseClient db, RedisClientProperties properties) {
		this(redis, db, properties.foreignData());
	}

	RedisOwnership(ReactiveStringRedisTemplate redis, DatabaseClient db, ForeignData policy) {
		this.redis = redis;
		this.db = db;
		this.policy = policy;
	}

	@Override
	public void run() {
		String identity;
		String owner;
		try {
			identity = identity().block(TIMEOUT);
			owner = claim(identity).block(TIMEOUT);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not check which database Redis caches (" + KEY + "); going on: " + ex);
			return;
		}
		if (identity.equals(owner)) {
			return;
		}
		if (this.policy == ForeignData.REFUSE) {
			throw new StartupRefusedException("Redis holds the keys of another database (" + KEY + " = " + owner
					+ ", this database is " + identity + "): its coupon events and reservations would be taken for "
					+ "this database's. Point the service at an empty Redis (or Redis database), empty this one, "
					+ "or set app.redis.foreign-data=flush to have it emptied (docs/redis.md \"One Redis, one database\").");
		}
		logger.warn("Redis held the keys of another database (" + owner + "); emptying it for this database ("
				+ identity + "), app.redis.foreign-data=flush");
		flushAndClaim(identity).block(TIMEOUT);
	}

	/** This database's identity, made by its migration. */
	Mono<String> identity() {
		return this.db.sql("SELECT id FROM database_identity ORDER BY created_at, id LIMIT 1")
			.map((row) -> row.get("id", String.class))
			.one();
	}

	/**
	 * Claims Redis for {@code identity} where it has no owner yet.
	 * @return the identity Redis holds now: {@code identity}, or the other database's
	 */
	Mono<String> claim(String identity) {
		return this.redis.execute(LuaScripts.DATABASE_CLAIM, List.of(KEY), List.of(identity)).next();
	}

	/** Empties the Redis database (every master of a cluster) and claims it for {@code identity}. */
	Mono<String> flushAndClaim(String identity) {
		return this.redis.execute((connection) -> connection.serverCommands().flushDb())
			.then(claim(identity));
	}

}
