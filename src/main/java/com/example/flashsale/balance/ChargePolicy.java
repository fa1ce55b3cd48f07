package com.example.flashsale.balance;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The charge policy (SPEC section 3, seed 004 scenarios 1-2), {@code app.balance.charge.*}; amounts in
 * KRW.
 *
 * @param unit a charge is a multiple of this
 * @param min the smallest charge
 * @param max the largest single charge
 * @param cap the largest balance a charge may lead to
 */
@ConfigurationProperties("app.balance.charge")
record ChargePolicy(@DefaultValue("10") long unit, @DefaultValue("1000") long min, @DefaultValue("100000") long max,
		@DefaultValue("10000000") long cap) {

	ChargePolicy {
		if (unit < 1 || min < unit || max < min || cap < max) {
			throw new IllegalArgumentException("app.balance.charge needs 1 <= unit <= min <= max <= cap");
		}
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
