package com.example.flashsale.coupon;

import java.time.Instant;

/**
 * An issue Redis has decided and logged ({@code coupon:{id}:log} entry {@code logEntryId}) that still
 * has to be committed to MySQL. {@code token} is the claim's random token, stored with the user coupon
 * ({@code user_coupons.issue_ref}) so that a commit can tell this issue's row from an older one of the
 * same user; null for entries logged before tokens existed.
 */
record PendingIssue(long couponId, long userId, Instant issuedAt, Instant expiresAt, String logEntryId, String token) {

	/** The value of this issue's field in the holders hash: {@code <token>|<logEntryId>|<issuedAt ms>}. */
	String holderValue() {
		return (this.token != null) ? this.token + "|" + this.logEntryId + "|" + this.issuedAt.toEpochMilli() : "";
	}

}
