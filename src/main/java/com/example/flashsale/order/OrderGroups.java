package com.example.flashsale.order;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.order.OrderRepository.NewOrder;
import com.example.flashsale.support.db.GroupCommit;
import com.example.flashsale.support.db.SqlBatch;

/**
 * Group commit of orders (docs/architecture.md "Orders in groups"; ADR 0032): in a crowd, the PENDING
 * inserts of up to {@code app.orders.group.max-orders} orders share one transaction and one round trip,
 * and so do their payments, so each costs one begin, one batch and one commit per group instead of per
 * order. Each stage has its own {@code lanes}: a free lane takes everything queued, so groups form only
 * while the lanes are busy and a lone order waits for nothing.
 *
 * <p>A payment group sends every order's writes in queue order, then every stock decrement of the group
 * sorted by product id, so two groups (or a group and an order paid alone) lock hot product rows in one
 * order and a hot row is locked only for the decrements and the commit.
 *
 * <p>Each order is answered by the outcome of its group ({@link GroupCommit}): committed; rolled back by
 * a check of any of its orders, a deadlock or a constraint (the caller runs each order alone, which gives
 * it its own answer); failed by a fault before the commit (each order fails as it would have alone);
 * its commit's outcome unknown (each order is handled as one alone would be: a PENDING insert is looked
 * up, a payment is left to recovery).
 */
@Component
class OrderGroups {

	private static final Comparator<Take> BY_PRODUCT = Comparator.comparingLong(Take::productId);

	private final OrderRepository orders;

	private final GroupCommit<NewOrder, Long> pending;

	private final GroupCommit<Member, Boolean> payments;

	OrderGroups(OrderRepository orders, TransactionalOperator transactional, OrderProperties properties,
			OrderMetrics metrics) {
		this.orders = orders;
		OrderProperties.Group group = properties.group();
		this.pending = new GroupCommit<>("PENDING orders", orders::insertPendingGroup, transactional, group.maxOrders(),
				group.lanes(), properties.paymentTimeout(),
				(members, outcome, nanos) -> metrics.group("pending", members, outcome));
		this.payments = new GroupCommit<>("payments", this::pay, transactional, group.maxOrders(), group.lanes(),
				properties.paymentTimeout(), (members, outcome, nanos) -> {
					metrics.group("payment", members, outcome);
					// a rolled-back group's orders are each paid alone, which records its own try
					if (outcome != GroupCommit.Outcome.ROLLED_BACK) {
						for (int i = 0; i < members; i++) {
							metrics.payment(nanos);
						}
					}
				});
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

	/**
	 * Whether the subscriber's order joins groups: {@code max-orders} is above 1 and it runs in no
	 * transaction of its caller ({@link GroupCommit#usable()}); otherwise each of its steps runs alone.
	 */
	Mono<Boolean> usable() {
		return this.payments.usable();
	}

	/**
	 * Inserts {@code order} PENDING, with its items, with the next group
	 * ({@link OrderRepository#insertPendingGroup}).
	 * @return its id once the group committed; empty when its key was refused before (nothing inserted);
	 * {@link GroupCommit.RolledBack} (insert it alone: its key may have an order, its user no account),
	 * {@link GroupCommit.NotCommitted} or {@link GroupCommit.CommitUnknown} otherwise
	 */
	Mono<Long> insertPending(NewOrder order) {
		return this.pending.commit(order);
	}

	/**
	 * Commits {@code member}'s payment with the next group.
	 * @return completes when its group committed; {@link GroupCommit.RolledBack} (pay it alone) or
	 * {@link GroupCommit.NotCommitted} (a fault) when nothing of the group was written;
	 * {@link GroupCommit.CommitUnknown} when the commit was sent and may have happened
	 */
	Mono<Void> pay(Member member) {
		return this.payments.commit(member).then();
	}

	/** A payment group's batch: every order's writes in queue order, then all its stock decrements by product id. */
	private Mono<List<Boolean>> pay(List<Member> members) {
		SqlBatch batch = new SqlBatch();
		List<Take> takes = new ArrayList<>();
		for (Member member : members) {
			batch.addAll(member.writes());
			takes.addAll(member.takes());
		}
		takes.sort(BY_PRODUCT);
		for (Take take : takes) {
			batch.add(take.statement());
		}
		return this.orders.run(batch).then(Mono.fromSupplier(() -> Collections.nCopies(members.size(), Boolean.TRUE)));
	}

}
