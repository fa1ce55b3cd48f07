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
import com.example.flashsale.support.web.KeysetPage;

/**
 * The balance feature's API (docs/api.md "Balance", docs/flows.md "Charge"): accounts, their balance, the
 * charge, and the ledger. Invariant: the balance equals the sum of the user's COMPLETED ledger amounts
 * and is never negative; every change of the balance and its ledger row commit in one transaction.
 */
@Service
public class BalanceService {

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

	/** Creates an account named {@code name} with a zero balance (admins; demo data). */
	public Mono<User> createUser(String name) {
		return this.repository.insertUser(name, this.clock.instant());
	}

	/**
	 * Creates an account named {@code name} holding {@code balance} KRW, with its COMPLETED CHARGE ledger row,
	 * in the caller's transaction and without the user lock or the charge policy: the account of the startup
	 * warm-up's order rehearsal, whose transaction is rolled back (ADR 0029).
	 * @return the account's id
	 */
	public Mono<Long> openFundedAccount(String name, long balance) {
		Instant now = this.clock.instant();
		return this.repository.insertUser(name, now)
			.flatMap((user) -> this.repository.setBalance(user.id(), balance, now)
				.then(this.repository.insertCharge(user.id(), balance, balance, now))
				.thenReturn(user.id()));
	}

	/** Whether any account exists. */
	public Mono<Boolean> anyAccount() {
		return this.repository.anyUser();
	}

	/** The user's balance; USER_NOT_FOUND 404. */
	Mono<Balance> balance(long userId) {
		return this.repository.findBalance(userId)
			.switchIfEmpty(Mono.error(() -> userNotFound(userId)))
			.map((balance) -> new Balance(userId, balance));
	}

	/**
	 * Charges {@code amount} KRW: policy first, then the user's lock (held: 409 CHARGE_IN_PROGRESS at
	 * once), then one transaction that locks the user row, checks the cap, sets the balance and appends
	 * the COMPLETED CHARGE row. Once started it runs to the end even if the caller hangs up, so the lock is
	 * released only after the transaction has finished.
	 * @return the new balance and the ledger row's id; INVALID_CHARGE_AMOUNT 400, USER_NOT_FOUND 404,
	 * CHARGE_IN_PROGRESS 409; an unreachable Redis or database fails before anything changed (503)
	 */
	public Mono<Charged> charge(long userId, long amount) {
		return Mono.defer(() -> {
			this.policy.checkAmount(amount);
			return RunToCompletion.of(() -> this.userLock.withLock(userId,
					() -> new ProblemException(ErrorCode.CHARGE_IN_PROGRESS,
							"Another charge of this account is in progress; retry when it has finished."),
					(lease) -> chargeLocked(userId, amount)));
		});
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
	 * @return the page; USER_NOT_FOUND 404 when the user does not exist
	 */
	Mono<LedgerPage> transactions(long userId, KeysetPage.Request page) {
		return this.repository.findLedger(userId, page.before(), page.fetchSize())
			.collectList()
			.flatMap((rows) -> {
				if (rows.isEmpty() && page.isFirst()) {
					// an empty first page: tell an unknown user from one without entries
					return balance(userId).thenReturn(new LedgerPage(List.of(), null));
				}
				KeysetPage<LedgerEntry> keyset = KeysetPage.of(rows, page, LedgerEntry::id);
				return Mono.just(new LedgerPage(keyset.items(), keyset.nextCursor()));
			});
	}

	private static ProblemException userNotFound(long userId) {
		return new ProblemException(ErrorCode.USER_NOT_FOUND, "User " + userId + " does not exist.");
	}

}
