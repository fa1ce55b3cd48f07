package com.example.flashsale.support.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisElementReader;
import org.springframework.data.redis.serializer.RedisElementWriter;

/**
 * The application's {@link ReactiveStringRedisTemplate}, which waits out a Redis Cluster failover instead of
 * failing at once (docs/operations.md "Redis Cluster"): a command that failed because the connection to its
 * slot's master is down is sent again every {@link #STEP} for up to {@code wait} in all, by then usually to
 * the replica that took over. Past {@code wait} the original error goes up (a 503 with {@code Retry-After}).
 *
 * <p>Two failures are sent again: a command the client refused unsent while the connection was down
 * ("Currently not connected", or a connect that failed), and a command that was out when its connection
 * dropped (the master was killed: "Connection reset by peer", "Connection disconnected"). The second kind may
 * have run before the master died; every script and command the service sends is safe to run twice
 * (docs/redis.md, "Twice" under each key: a reservation, a claim or an issue finds its own record), as
 * the chaos suite's cluster failovers check. A command timeout is never sent again: the master may be
 * frozen or overloaded, and more of the same would only queue behind it. Covers every command of the
 * template (values, hashes, sets, keys) and every script; publish/subscribe is not covered (subscriptions
 * resubscribe on their own). With {@code wait} zero it is the plain template: the single-node default,
 * where a lost connection means Redis is down for longer than a request should wait.
 *
 * <p>Every reply is delivered on Reactor's parallel scheduler, never on the Redis connection's I/O thread
 * ({@link #offTheIoThread}).
 */
public class RetryingRedisTemplate extends ReactiveStringRedisTemplate {

	/** {@code publishOn}'s prefetch that requests unbounded demand from its source (an unbounded queue). */
	private static final int UNBOUNDED = Integer.MAX_VALUE;

	/** The pause between two sends: a tenth of the client's topology refresh period (1 s). */
	static final Duration STEP = Duration.ofMillis(100);

	/** Lettuce's message for a command refused while its connection is down (REJECT_COMMANDS). */
	private static final String NOT_CONNECTED = "Currently not connected. Commands are rejected.";

	/** Lettuce's messages for a command that was out when its connection closed or dropped. */
	private static final Set<String> CUT_OFF = Set.of("Connection closed", "Connection disconnected",
			"Connection closed prematurely");

	/** How commands whose connection was lost are sent again; null when they are not. */
	private final Retry retry;

	/**
	 * @param connectionFactory the connection factory
	 * @param wait the longest a command whose connection was lost is sent again for (zero: never)
	 */
	public RetryingRedisTemplate(ReactiveRedisConnectionFactory connectionFactory, Duration wait) {
		super(connectionFactory);
		long attempts = wait.toMillis() / STEP.toMillis();
		this.retry = (attempts > 0) ? Retry.fixedDelay(attempts, STEP)
			.filter(RetryingRedisTemplate::connectionLost)
			.onRetryExhaustedThrow((spec, signal) -> signal.failure()) : null;
	}

	/** Whether {@code failure} says the command never left the client (sending it again runs it once). */
	static boolean unsent(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisConnectionException
					|| (cause instanceof RedisException && NOT_CONNECTED.equals(cause.getMessage()))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether {@code failure} says the command's connection was lost: refused unsent ({@link #unsent}), or cut
	 * off while out (it may have run). A command timeout is neither.
	 */
	static boolean connectionLost(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisCommandTimeoutException) {
				return false;
			}
			if (cause instanceof IOException || (cause instanceof RedisException && CUT_OFF.contains(cause.getMessage()))) {
				return true;
			}
		}
		return unsent(failure);
	}

	@Override
	protected <T> Publisher<T> postProcessResult(Publisher<T> result, ReactiveRedisConnection connection,
			boolean existingConnection) {
		return offTheIoThread(Flux.from(super.postProcessResult(result, connection, existingConnection)));
	}

	@Override
	public <T> Flux<T> execute(RedisScript<T> script, List<String> keys, List<?> args) {
		return offTheIoThread(super.execute(script, keys, args));
	}

	@Override
	public <T> Flux<T> execute(RedisScript<T> script, List<String> keys, List<?> args, RedisElementWriter<?> argsWriter,
			RedisElementReader<T> resultReader) {
		return offTheIoThread(super.execute(script, keys, args, argsWriter, resultReader));
	}

	/**
	 * A command's results, sent again when its connection was lost ({@link #retry}), and delivered on the
	 * parallel scheduler: whatever a caller does with a reply (the rest of a request: encoding its answer,
	 * signing a token, the next call) must not run on the Redis connection's one I/O thread, where it would
	 * hold back the replies of every other command on that connection. With 10,000 waiting-room clients it
	 * did: replies sat unread in the socket (Recv-Q up to 22 KB) while Redis idled, and 5,400 commands hit
	 * their timeout (docs/adr/0025-waiting-room-paced-in-redis.md).
	 *
	 * <p>The hop asks its source for every reply at once ({@link #UNBOUNDED}), whatever its subscriber asks
	 * for: Lettuce stops reading a connection while a command's subscriber has no demand left, so a bounded
	 * prefetch (Reactor's default is 256) would leave every other command of the shared connection unread
	 * behind a long reply that its caller consumes slowly.
	 */
	private <T> Flux<T> offTheIoThread(Flux<T> results) {
		return ((this.retry != null) ? results.retryWhen(this.retry) : results).publishOn(Schedulers.parallel(),
				UNBOUNDED);
	}

}
