package com.example.flashsale.support.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.r2dbc.spi.R2dbcException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Group commit: the writes of several requests in one transaction and one round trip
 * (docs/architecture.md "Orders in groups"). Requests queue their member; up to {@code lanes} groups run
 * at once, and a free lane takes everything queued, up to {@code maxMembers}: a lone request waits for
 * nothing, and groups grow only while the lanes are busy.
 *
 * <p>Each member gets its own result from the group's {@link Work}, or the group's end:
 * {@link RolledBack} when a check, a deadlock or a constraint stopped the group before its commit
 * (nothing was written: the caller runs that member alone, which gives it its own answer);
 * {@link NotCommitted} when a fault of the database or the timeout stopped it before its commit (nothing
 * was written); {@link CommitUnknown} when the commit was sent and failed or timed out (it may have
 * happened).
 * @param <M> what one member writes
 * @param <R> what one member gets back
 */
public final class GroupCommit<M, R> {

	private static final Log logger = LogFactory.getLog(GroupCommit.class);

	private final String name;

	private final Function<List<M>, Mono<List<R>>> work;

	private final TransactionalOperator transactional;

	private final int maxMembers;

	private final int lanes;

	private final Duration timeout;

	private final Listener listener;

	private final Queue<Waiter<M, R>> waiters = new ConcurrentLinkedQueue<>();

	private final AtomicInteger activeLanes = new AtomicInteger();

	/**
	 * A group commit.
	 * @param name what it writes, for the log
	 * @param work the statements of a group, run in its transaction: one result per member, in order
	 * @param transactional the group's transaction
	 * @param maxMembers the most members in one group (1 or less: {@link #enabled()} is false)
	 * @param lanes the most groups in flight at once
	 * @param timeout the longest a group's transaction may take, commit included
	 * @param listener told of each group's end
	 */
	public GroupCommit(String name, Function<List<M>, Mono<List<R>>> work, TransactionalOperator transactional,
			int maxMembers, int lanes, Duration timeout, Listener listener) {
		this.name = name;
		this.work = work;
		this.transactional = transactional;
		this.maxMembers = maxMembers;
		this.lanes = lanes;
		this.timeout = timeout;
		this.listener = listener;
	}

	/** Told of each group's end. */
	@FunctionalInterface
	public interface Listener {

		/** A group of {@code members} ended with {@code outcome} after {@code nanos}. */
		void ended(int members, Outcome outcome, long nanos);

	}

	/** How a group ended; each but {@link #COMMITTED} is the error its members get. */
	public enum Outcome {

		/** Committed: every member got its result. */
		COMMITTED,

		/** {@link RolledBack}: each member is run alone by its caller. */
		ROLLED_BACK,

		/** {@link NotCommitted}: a fault before the commit. */
		NOT_COMMITTED,

		/** {@link CommitUnknown}: the commit was sent and may have happened. */
		COMMIT_UNKNOWN

	}

	/** Whether members are grouped: more than one per group and at least one lane. */
	public boolean enabled() {
		return this.maxMembers > 1 && this.lanes > 0;
	}

	/**
	 * Whether the subscriber's member may join a group: groups are {@link #enabled()} and the subscriber
	 * runs in no transaction. A group commits on a connection of its own, which would neither see the rows
	 * a caller's transaction has not committed (it could wait on their locks) nor roll back with it: such a
	 * caller (the startup warm-up's rehearsals, for one) runs alone, inside its transaction.
	 * @return true to call {@link #commit}, false to run the member alone
	 */
	public Mono<Boolean> usable() {
		if (!enabled()) {
			return Mono.just(false);
		}
		return TransactionSynchronizationManager.forCurrentTransaction()
			.map((synchronization) -> !synchronization.isActualTransactionActive())
			.onErrorReturn(NoTransactionException.class, true);
	}

	/**
	 * Commits {@code member} with the next group.
	 * @return its result once the group committed; {@link RolledBack}, {@link NotCommitted} or
	 * {@link CommitUnknown} otherwise
	 */
	public Mono<R> commit(M member) {
		return Mono.create((sink) -> {
			this.waiters.add(new Waiter<>(member, sink));
			drain();
		});
	}

	private record Waiter<M, R>(M member, MonoSink<R> sink) {
	}

	private void drain() {
		while (!this.waiters.isEmpty()) {
			int active = this.activeLanes.get();
			if (active >= this.lanes) {
				return;
			}
			if (this.activeLanes.compareAndSet(active, active + 1)) {
				runLane();
			}
		}
	}

	private void runLane() {
		List<Waiter<M, R>> group = new ArrayList<>();
		Waiter<M, R> waiter;
		while (group.size() < this.maxMembers && (waiter = this.waiters.poll()) != null) {
			group.add(waiter);
		}
		if (group.isEmpty()) {
			this.activeLanes.decrementAndGet();
			// re-check: a member queued between the poll and the decrement must not wait for the next arrival
			drain();
			return;
		}
		List<M> members = group.stream().map(Waiter::member).toList();
		AtomicBoolean commitSent = new AtomicBoolean();
		AtomicReference<List<R>> results = new AtomicReference<>();
		long started = System.nanoTime();
		Mono.defer(() -> this.work.apply(members))
			.doOnNext(results::set)
			.doOnSuccess((done) -> commitSent.set(true))
			.as(this.transactional::transactional)
			.timeout(this.timeout)
			.then()
			.subscribe(null, (error) -> {
				RuntimeException failure;
				Outcome outcome;
				if (commitSent.get()) {
					logger.warn("Commit outcome of a group of " + group.size() + " " + this.name + " unknown: " + error);
					failure = new CommitUnknown(error);
					outcome = Outcome.COMMIT_UNKNOWN;
				}
				else if (isFault(error)) {
					failure = new NotCommitted(error);
					outcome = Outcome.NOT_COMMITTED;
				}
				else {
					failure = new RolledBack(error);
					outcome = Outcome.ROLLED_BACK;
				}
				this.listener.ended(group.size(), outcome, System.nanoTime() - started);
				group.forEach((member) -> member.sink().error(failure));
				runLane();
			}, () -> {
				this.listener.ended(group.size(), Outcome.COMMITTED, System.nanoTime() - started);
				List<R> each = results.get();
				for (int i = 0; i < group.size(); i++) {
					group.get(i).sink().success(each.get(i));
				}
				runLane();
			});
	}

	/**
	 * Whether {@code error} is a fault of the database or its connection (it failed every member of the
	 * group, as it would have failed each alone), rather than something one member may have caused: a
	 * check, a deadlock, a constraint.
	 */
	private static boolean isFault(Throwable error) {
		if (error instanceof TimeoutException) {
			return true;
		}
		boolean fromDatabase = error instanceof DataAccessException || error instanceof R2dbcException;
		return fromDatabase && !(error instanceof DataIntegrityViolationException) && !DbErrors.isDeadlock(error);
	}

	/**
	 * The group was rolled back before its commit by a check of one of its members, a deadlock or a
	 * constraint: none of its writes happened; run each member alone.
	 */
	public static final class RolledBack extends RuntimeException {

		RolledBack(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** A fault of the database, or the timeout, failed the group before its commit: none of its writes happened. */
	public static final class NotCommitted extends RuntimeException {

		NotCommitted(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** The group's commit was sent and failed or timed out: whether it committed is unknown. */
	public static final class CommitUnknown extends RuntimeException {

		CommitUnknown(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

}
