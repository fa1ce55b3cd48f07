package com.example.flashsale.coupon;

import java.time.Instant;

/**
 * An issue Redis has decided and logged ({@code coupon:{id}:log} entry {@code logEntryId}) that still
 * has to be committed to MySQL.
 */
record PendingIssue(long couponId, long userId, Instant issuedAt, Instant expiresAt, String logEntryId) {
}
