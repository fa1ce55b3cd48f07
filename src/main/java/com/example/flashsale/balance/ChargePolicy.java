package com.example.flashsale.balance;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The charge policy (docs/api.md "Balance"): the amount rules and the balance cap, from
 * {@code app.balance.charge.*}; amounts in KRW.
 */
@Component
class ChargePolicy {

	private final long unit;

	private final long min;

	private final long max;

	private final long cap;

	ChargePolicy(BalanceProperties properties) {
		this.unit = properties.charge().unit();
		this.min = properties.charge().min();
		this.max = properties.charge().max();
		this.cap = properties.charge().cap();
	}

	/**
	 * Checks the rules that depend on the amount alone.
	 * @throws ProblemException 400 INVALID_CHARGE_AMOUNT naming the rule broken
	 */
	void checkAmount(long amount) {
		if (amount < this.min) {
			throw invalid("A charge must be at least " + this.min + " KRW, got " + amount + ".");
		}
		if (amount > this.max) {
			throw invalid("A charge must be at most " + this.max + " KRW, got " + amount + ".");
		}
		if (amount % this.unit != 0) {
			throw invalid("A charge must be a multiple of " + this.unit + " KRW, got " + amount + ".");
		}
	}

	/**
	 * Checks the balance cap.
	 * @throws ProblemException 400 INVALID_CHARGE_AMOUNT when {@code balance + amount} exceeds the cap
	 */
	void checkCap(long balance, long amount) {
		if (balance + amount > this.cap) {
			throw invalid("The balance may not exceed " + this.cap + " KRW: " + balance + " + " + amount + " is more.");
		}
	}

	private static ProblemException invalid(String detail) {
		return new ProblemException(ErrorCode.INVALID_CHARGE_AMOUNT, detail);
	}

}
