package com.example.flashsale.balance;

import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.db.SqlBatch;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Pays for an order from the buyer's balance (docs/flows.md "Order and payment", step 6): the
 * conditional deduction and its PAYMENT ledger row. Runs inside the caller's transaction; the caller
 * holds the user's lock, but correctness does not depend on it (the update is conditional and the row
 * stays locked until the caller's commit).
 */
@Component
public class BalancePayments {

	private final BalanceRepository repository;

	BalancePayments(BalanceRepository repository) {
		this.repository = repository;
	}

	/**
	 * The statements that deduct {@code amount} KRW ({@code UPDATE ... WHERE balance >= ?}) and append the
	 * COMPLETED PAYMENT row of {@code -amount} with {@code orderId}, for a batch in the caller's transaction.
	 * An amount of 0 (a coupon covering everything) writes a 0 KRW row, so every paid order has exactly one
	 * PAYMENT row.
	 * @return the statements; their checks signal {@link ErrorCode#INSUFFICIENT_BALANCE} 402 when the balance
	 * is lower and {@link ErrorCode#USER_NOT_FOUND} 404 when the user does not exist (the caller rolls back)
	 */
	public List<SqlBatch.Part> pay(long userId, long orderId, long amount, Instant now) {
		return List.of(
				this.repository.deductIfCovered(userId, amount, now, SqlBatch.Part.oneRowOr(() -> refusal(userId, amount))),
				this.repository.insertPayment(userId, orderId, amount, now, SqlBatch.Part
					.oneRowOrError(() -> new IllegalStateException("no PAYMENT row written for order " + orderId))));
	}

	private Mono<Void> refusal(long userId, long amount) {
		return this.repository.findBalance(userId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.USER_NOT_FOUND, "User " + userId + " does not exist.")))
			.flatMap((balance) -> Mono.error(new ProblemException(ErrorCode.INSUFFICIENT_BALANCE,
					"The balance of " + balance + " KRW does not cover the " + amount + " KRW to pay.")));
	}

	/**
	 * Gives back what {@code orderId} paid and was not refunded yet (docs/flows.md "Recovery of pending orders"): the balance is
	 * credited and a COMPLETED REFUND row written, in the caller's transaction. Nothing happens when no
	 * money moved (no PAYMENT row, a 0 KRW payment, or already refunded), so a repeat refunds nothing.
	 * @return the KRW refunded, 0 when none
	 */
	public Mono<Long> refund(long userId, long orderId, Instant now) {
		return this.repository.unrefundedPayment(orderId).flatMap((owed) -> (owed <= 0) ? Mono.just(0L)
				: this.repository.credit(userId, owed, now)
					.flatMap((credited) -> credited ? this.repository.insertRefund(userId, orderId, owed, now)
							: Mono.error(new IllegalStateException("user " + userId + " of order " + orderId + " is gone")))
					.thenReturn(owed));
	}

}
