package com.example.flashsale.coupon;

import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import com.example.flashsale.support.db.SqlBatch;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static com.example.flashsale.support.db.UtcColumns.utc;

/**
 * Using an issued coupon on an order (docs/flows.md "Order and payment"): the check before
 * payment and the conditional {@code AVAILABLE -> USED} inside the payment transaction. A coupon is
 * usable by its owner while it is AVAILABLE and not past {@code expires_at}.
 */
@Component
public class CouponRedemption {

	private final DatabaseClient db;

	CouponRedemption(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * The discount (KRW) of {@code userCouponId} if {@code userId} may use it at {@code now}.
	 * @return the discount amount; {@link ErrorCode#INVALID_COUPON} 400 when the coupon does not exist, is
	 * not the caller's, is used or expired
	 */
	public Mono<Long> discountOf(long userId, long userCouponId, Instant now) {
		return this.db
			.sql("SELECT c.discount_amount FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id "
					+ "WHERE uc.id = ? AND uc.user_id = ? AND uc.status = '" + UserCouponStatus.AVAILABLE + "' AND uc.expires_at > ?")
			.bind(0, userCouponId)
			.bind(1, userId)
			.bind(2, utc(now))
			.map((row) -> row.get("discount_amount", Long.class))
			.one()
			.switchIfEmpty(Mono.error(() -> invalid(userCouponId)));
	}

	/**
	 * Marks the coupon USED by {@code orderId} if it still is the caller's, AVAILABLE and unexpired (a
	 * conditional update: of orders racing for one coupon, exactly one succeeds). Runs in the caller's
	 * transaction.
	 * @return completes when used; {@link ErrorCode#INVALID_COUPON} 400 otherwise (nothing changed)
	 */
	public Mono<Void> use(long userId, long userCouponId, long orderId, Instant now) {
		return new SqlBatch().add(useStatement(userId, userCouponId, orderId, now)).run(this.db);
	}

	/**
	 * {@link #use} as one statement of a payment's batch (docs/architecture.md "One round trip for a
	 * payment"): its check signals {@link ErrorCode#INVALID_COUPON} 400 when no row changed.
	 */
	public SqlBatch.Part useStatement(long userId, long userCouponId, long orderId, Instant now) {
		return new SqlBatch.Part("UPDATE user_coupons SET status = '" + UserCouponStatus.USED + "', used_at = ?, order_id = ? "
				+ "WHERE id = ? AND user_id = ? AND status = '" + UserCouponStatus.AVAILABLE + "' AND expires_at > ?",
				List.of(utc(now), orderId, userCouponId, userId, utc(now)),
				SqlBatch.Part.oneRowOrError(() -> invalid(userCouponId)));
	}

	/**
	 * Makes the coupon {@code orderId} used AVAILABLE again (docs/flows.md "Recovery of pending orders"), in the caller's transaction.
	 * @return true when it was restored, false when that order had not used it (nothing changed)
	 */
	public Mono<Boolean> restore(long userCouponId, long orderId) {
		return this.db
			.sql("UPDATE user_coupons SET status = '" + UserCouponStatus.AVAILABLE + "', used_at = NULL, order_id = NULL "
					+ "WHERE id = ? AND order_id = ? AND status = '" + UserCouponStatus.USED + "'")
			.bind(0, userCouponId)
			.bind(1, orderId)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	private static ProblemException invalid(long userCouponId) {
		return new ProblemException(ErrorCode.INVALID_COUPON,
				"Coupon " + userCouponId + " cannot be used: it is not yours, already used or expired.");
	}

}
