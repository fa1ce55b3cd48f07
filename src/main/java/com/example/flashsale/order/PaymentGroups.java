package com.example.flashsale.order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.r2dbc.spi.R2dbcException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.support.db.DbErrors;
import com.example.flashsale.support.db.SqlBatch;

/**
 * Group commit of payments (docs/adr/0032-orders-committed-in-groups-proposed.md): the payment statements of
 * up to {@code app.orders.payment-group.max-orders} orders go to MySQL in one transaction, in one round
 * trip, so a crowd's payments cost one begin, one batch and one commit per group instead of per order.
 *
 * <p>Orders queue here once their stock is reserved in Redis. Up to {@code lanes} groups run at once;
 * a free lane takes everything queued (at most {@code max-orders}), so groups form only while the lanes
 * are busy and a lone order waits for nothing. In a group, every order's writes come first, in queue
 * order, then every stock decrement of the group sorted by product id, so two groups (or a group and an
 * order paid alone) lock hot product rows in one order and a hot row is locked only for the decrements
 * and the commit.
 *
 * <p>Each order is answered by the outcome of its group: committed (its payment is durable);
 * {@link RolledBack} when a check of any order of the group failed, or a deadlock or a constraint stopped
 * it, before the commit (all of it was rolled back, and the caller pays each order alone, which gives it
 * its own answer); {@link NotCommitted} when a fault of the database or a timeout stopped it before the
 * commit (each order fails as it would have alone, compensated); {@link CommitUnknown} when the commit
 * was sent and its outcome is unknown (every order of the group is left to recovery, as one order paid
 * alone would be).
 */
@Component
class PaymentGroups {

	private static final Log logger = LogFactory.getLog(PaymentGroups.class);

	private static final Comparator<Take> BY_PRODUCT = Comparator.comparingLong(Take::productId);

	private final OrderRepository orders;

	private final TransactionalOperator transactional;

	private final OrderMetrics metrics;

	private final int maxOrders;

	private final int lanes;

	private final Duration timeout;

	private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

	private final AtomicInteger activeLanes = new AtomicInteger();

	PaymentGroups(OrderRepository orders, TransactionalOperator transactional, OrderProperties properties,
			OrderMetrics metrics) {
		this.orders = orders;
		this.transactional = transactional;
		this.metrics = metrics;
		this.maxOrders = properties.paymentGroup().maxOrders();
		this.lanes = properties.paymentGroup().lanes();
		this.timeout = properties.paymentTimeout();
	}

	/** One stock decrement of a payment, with the product it locks. */
	record Take(long productId, SqlBatch.Part statement) {
	}

	/**
	 * What one order's payment writes: {@code writes} in order (coupon, balance, ledger, payment, outbox,
	 * order), then its {@code takes}, each a statement whose check signals an error when the payment cannot
	 * go through as it stands.
	 */
	record Member(List<SqlBatch.Part> writes, List<Take> takes) {
	}

	/** Whether payments are grouped ({@code max-orders} above 1); otherwise each is paid alone. */
	boolean enabled() {
		return this.maxOrders > 1 && this.lanes > 0;
	}

	/**
	 * Commits {@code member} with the next group.
	 * @return completes when its group committed; {@link RolledBack} (pay it alone) or {@link NotCommitted}
	 * (a fault) when nothing of the group was written; {@link CommitUnknown} when the commit was sent and
	 * may have happened
	 */
	Mono<Void> commit(Member member) {
		return Mono.create((sink) -> {
			this.waiters.add(new Waiter(member, sink));
			drain();
		});
	}

	private record Waiter(Member member, MonoSink<Void> sink) {
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
		List<Waiter> group = new ArrayList<>();
		Waiter waiter;
		while (group.size() < this.maxOrders && (waiter = this.waiters.poll()) != null) {
			group.add(waiter);
		}
		if (group.isEmpty()) {
			this.activeLanes.decrementAndGet();
			// re-check: an order queued between the poll and the decrement must not wait for the next arrival
			drain();
			return;
		}
		SqlBatch batch = new SqlBatch();
		List<Take> takes = new ArrayList<>();
		for (Waiter member : group) {
			batch.addAll(member.member().writes());
			takes.addAll(member.member().takes());
		}
		takes.sort(BY_PRODUCT);
		for (Take take : takes) {
			batch.add(take.statement());
		}
		AtomicBoolean commitSent = new AtomicBoolean();
		long started = System.nanoTime();
		Mono.defer(() -> this.orders.run(batch))
			.doOnSuccess((done) -> commitSent.set(true))
			.as(this.transactional::transactional)
			.timeout(this.timeout)
			.subscribe(null, (error) -> {
				this.metrics.paymentGroup(group.size(), false);
				if (commitSent.get()) {
					logger.warn("Commit outcome of a payment group of " + group.size() + " orders unknown: " + error);
					group.forEach((member) -> member.sink().error(new CommitUnknown(error)));
				}
				else if (isFault(error)) {
					NotCommitted fault = new NotCommitted(error);
					group.forEach((member) -> member.sink().error(fault));
				}
				else {
					RolledBack rolledBack = new RolledBack(error);
					group.forEach((member) -> member.sink().error(rolledBack));
				}
				runLane();
			}, () -> {
				long took = System.nanoTime() - started;
				this.metrics.paymentGroup(group.size(), true);
				for (Waiter member : group) {
					this.metrics.payment(took);
					member.sink().success();
				}
				runLane();
			});
	}

	/**
	 * Whether {@code error} is a fault of the database or its connection (it failed every order of the
	 * group, as it would have failed each alone), rather than something one order may have caused: a
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
	 * The group was rolled back before its commit because of one of its orders, or of a deadlock: none of
	 * its writes happened, and each order is paid alone.
	 */
	static final class RolledBack extends RuntimeException {

		RolledBack(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** A fault of the database failed the group before its commit: none of its writes happened. */
	static final class NotCommitted extends RuntimeException {

		NotCommitted(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

	/** The group's commit was sent and failed or timed out: whether it committed is unknown. */
	static final class CommitUnknown extends RuntimeException {

		CommitUnknown(Throwable cause) {
			super(cause.toString(), cause, false, false);
		}

	}

}
