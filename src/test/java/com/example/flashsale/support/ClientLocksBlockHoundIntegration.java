package com.example.flashsale.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The BlockHound allowances of the suite, each a short in-memory lock inside a client library, never
 * I/O (contention between event-loop threads parks for microseconds; see lettuce issue 2510):
 * <ul>
 * <li>Lettuce 7 counts the writers of a shared connection under a {@code ReentrantLock} in
 * {@code SharedLock.incrementWriters} / {@code decrementWriters}.</li>
 * <li>With a bounded request queue ({@code app.redis.request-queue-size}), Lettuce checks the queue's size
 * in {@code DefaultEndpoint.validateWrite} on every command, and its bounded queue is an
 * {@code ArrayBlockingQueue} whose {@code size()} takes a {@code ReentrantLock} (seen contended in a full
 * suite run: two charges failed with a BlockHound error).</li>
 * <li>Spring Data Redis reads the shared reactive connection under a lock on every command in
 * {@code LettuceConnectionFactory.getSharedReactiveConnection}. That method would also connect on first
 * use, which is I/O: the main code connects eagerly at startup and {@code RedisConfigTest} proves it.</li>
 * <li>On Redis Cluster, Lettuce caches the write connection of a slot, the first time a command goes to
 * that slot (and again after each topology refresh), under its {@code stateLock} in
 * {@code PooledClusterConnectionProvider.getWriteConnection} (the lambda that stores the connected
 * future; the connection itself is opened asynchronously before it). Seen contended on the cluster in
 * {@code StockKeyLossTest}: one order answered 500.</li>
 * <li>Netty 4.2's default buffer allocator ({@code AdaptivePoolingAllocator}) retires a magazine under
 * its {@code StampedLock} in {@code Magazine.free} / {@code MagazineGroup.free} when it grows under
 * contention; Netty's own BlockHound integration does not list them yet. Without this, BlockHound's
 * error thrown while that lock is being taken leaves the allocator wedged and every later request on
 * the thread fails (seen once in a full suite run).</li>
 * <li>Cancelling a periodic task (a {@code Flux.interval} ended by {@code takeUntil}) removes it from its
 * {@code ScheduledThreadPoolExecutor}'s queue under the queue's {@code ReentrantLock}
 * ({@code DelayedWorkQueue.remove}); Reactor's own integration allows {@code offer} and {@code take} of that
 * queue but not {@code remove}. Seen contended once in a fresh-clone CI run: a waiting-room stream ended
 * inside a Redis reply, BlockHound's error broke that reply's delivery, the shared Redis connection stopped
 * answering, and every later test of the JVM timed out.</li>
 * </ul>
 * Everything else stays checked. Registered through
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public class ClientLocksBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "decrementWriters");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.DefaultEndpoint", "validateWrite");
		builder.allowBlockingCallsInside("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
				"getSharedReactiveConnection");
		builder.allowBlockingCallsInside("io.lettuce.core.cluster.PooledClusterConnectionProvider",
				"lambda$getWriteConnection$1");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
		builder.allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove");
	}

}
