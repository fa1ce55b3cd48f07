package com.example.flashsale.balance;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

import com.example.flashsale.balance.BalanceViews.Balance;
import com.example.flashsale.balance.BalanceViews.Charged;
import com.example.flashsale.balance.BalanceViews.LedgerPage;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.reactor.RunToCompletion;
import com.example.flashsale.user.UserLock;

/**
 * A user's balance and ledger (SPEC sections 2-4; seeds 000, 003, 004 scenarios 1-2). Invariant: the
 * balance equals the sum of the user's COMPLETED ledger amounts and is never negative; every change of
 * the balance and its ledger row commit in one transaction.
 */
@Service
class BalanceService {

	/** The largest page of {@code GET /api/balance/transactions}. */
	static final int MAX_PAGE_SIZE = 100;

	private final BalanceRepository repository;

	private final ChargePolicy policy;

	private final UserLock userLock;

	private final TransactionalOperator transactional;

	private final Clock clock;

	BalanceService(BalanceRepository repository, ChargePolicy policy, UserLock userLock,
			TransactionalOperator transactional, Clock clock) {
		this.repository = repository;
		this.policy = policy;
		this.userLock = userLock;
		this.transactional = transactional;
		this.clock = clock;
	}

	/** The user's balance; USER_NOT_FOUND 404. */
	Mono<Balance> balance(long userId) {
		return this.repository.findBalance(userId)
			.switchIfEmpty(Mono.error(() -> userNotFound(userId)))
			.map((balance) -> new Balance(userId, balance));
	}

	/**
	 * Charges {@code amount} KRW (seed 004, 1-2): policy first, then the user's lock (held: 409
	 * CHARGE_IN_PROGRESS at once), then one transaction that locks the user row, checks the cap, sets
	 * the balance and appends the COMPLETED CHARGE row. Once started it runs to the end even if the
	 * caller hangs up, so the lock is released only after the transaction has finished.
	 * @return the new balance and the ledger row's id; INVALID_CHARGE_AMOUNT 400, USER_NOT_FOUND 404,
	 * CHARGE_IN_PROGRESS 409; an unreachable Redis or database fails before anything changed (503)
	 */
	Mono<Charged> charge(long userId, long amount) {
		this.policy.checkAmount(amount);
		return RunToCompletion.of(() -> this.userLock.withLock(userId,
				() -> new ProblemException(ErrorCode.CHARGE_IN_PROGRESS,
						"Another charge of this account is in progress; retry when it has finished."),
				(lease) -> chargeLocked(userId, amount)));
	}

	private Mono<Charged> chargeLocked(long userId, long amount) {
		Instant now = this.clock.instant();
		return this.repository.lockBalance(userId)
			.switchIfEmpty(Mono.error(() -> userNotFound(userId)))
			.flatMap((balance) -> {
				this.policy.checkCap(balance, amount);
				long after = balance + amount;
				return this.repository.setBalance(userId, after, now)
					.then(this.repository.insertCharge(userId, amount, after, now))
					.map((transactionId) -> new Charged(userId, after, transactionId));
			})
			.as(this.transactional::transactional);
	}

	/**
	 * A page of the user's ledger, newest first (keyset pagination on the id).
	 * @param cursor the {@code nextCursor} of the previous page, null for the first
	 * @param size rows per page, capped at {@link #MAX_PAGE_SIZE}
	 * @return the page; USER_NOT_FOUND 404 when the user does not exist
	 */
	Mono<LedgerPage> transactions(long userId, Long cursor, int size) {
		int limit = Math.min(size, MAX_PAGE_SIZE);
		return this.repository.findLedger(userId, (cursor != null) ? cursor : Long.MAX_VALUE, limit + 1)
			.collectList()
			.flatMap((rows) -> {
				if (rows.isEmpty() && cursor == null) {
					// an empty first page: tell an unknown user from one without entries
					return balance(userId).thenReturn(new LedgerPage(List.of(), null));
				}
				boolean more = rows.size() > limit;
				List<LedgerEntry> page = more ? rows.subList(0, limit) : rows;
				return Mono.just(new LedgerPage(page, more ? page.get(page.size() - 1).id() : null));
			});
	}

	private static ProblemException userNotFound(long userId) {
		return new ProblemException(ErrorCode.USER_NOT_FOUND, "User " + userId + " does not exist.");
	}

}
