package com.example.flashsale.coupon;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The operators' view of a coupon event ({@code GET /api/admin/coupons/{id}}, also the 201 body of its
 * creation). {@code issuedCount} is what MySQL holds, {@code remainingQuantity} what Redis holds; after
 * the dust settles {@code issuedCount + remainingQuantity == totalQuantity}.
 *
 * @param uncommittedIssues issues Redis decided that are not committed to MySQL yet (its log); stays
 * above 0 only while commits fail
 * @param commitFailures failed commits of the event's issues since its last successful one (0 when
 * healthy; docs/operations.md "Coupon commits that fail")
 * @param lastCommitFailure when and why the last commit failed ({@code <epoch ms> <reason>}), null when the
 * last commit succeeded
 */
public record CouponAdminView(long id, String code, String name, long discountAmount, int totalQuantity, int issuedCount,
		long remainingQuantity, Instant startsAt, Instant endsAt, int validDays, CouponStatus status,
		long uncommittedIssues, int commitFailures, @Schema(nullable = true) String lastCommitFailure) {

	static CouponAdminView of(Coupon coupon, CouponIssueState.StateView state) {
		return new CouponAdminView(coupon.id(), coupon.code(), coupon.name(), coupon.discountAmount(),
				coupon.totalQuantity(), coupon.issuedCount(), state.remaining(), coupon.startsAt(), coupon.endsAt(),
				coupon.validDays(), coupon.status(), state.uncommitted(), state.commitFailures(),
				state.lastCommitFailure());
	}

	/** The view of an event whose Redis state is gone after its window: remaining as MySQL implies it. */
	static CouponAdminView closed(Coupon coupon) {
		return new CouponAdminView(coupon.id(), coupon.code(), coupon.name(), coupon.discountAmount(),
				coupon.totalQuantity(), coupon.issuedCount(), (long) coupon.totalQuantity() - coupon.issuedCount(),
				coupon.startsAt(), coupon.endsAt(), coupon.validDays(), coupon.status(), 0, 0, null);
	}

}
