package com.example.flashsale.coupon;

import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import static com.example.flashsale.support.db.UtcColumns.instant;
import static com.example.flashsale.support.db.UtcColumns.utc;

/**
 * SQL for coupons and user coupons over R2DBC. Times are bound and read as UTC {@code DATETIME(6)}.
 * Transactions are the callers' business ({@link CouponService}, {@link IssueWriter}).
 */
@Repository
class CouponRepository {

	private static final String COUPON_COLUMNS = "id, code, name, discount_amount, total_quantity, issued_count, "
			+ "starts_at, ends_at, valid_days, status, created_at";

	private final DatabaseClient db;

	CouponRepository(DatabaseClient db) {
		this.db = db;
	}

	/** Inserts a new coupon event and returns its id; a duplicate code fails with a DuplicateKeyException. */
	Mono<Long> insert(String code, String name, long discountAmount, int totalQuantity, Instant startsAt,
			Instant endsAt, int validDays, Instant now) {
		return this.db.sql("INSERT INTO coupons (code, name, discount_amount, total_quantity, issued_count, starts_at, "
				+ "ends_at, valid_days, status, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, '" + CouponStatus.ACTIVE + "', ?)")
			.bind(0, code)
			.bind(1, name)
			.bind(2, discountAmount)
			.bind(3, totalQuantity)
			.bind(4, utc(startsAt))
			.bind(5, utc(endsAt))
			.bind(6, validDays)
			.bind(7, utc(now))
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	Mono<Coupon> findById(long id) {
		return this.db.sql("SELECT " + COUPON_COLUMNS + " FROM coupons WHERE id = ?")
			.bind(0, id)
			.map(CouponRepository::coupon)
			.one();
	}

	/** Up to {@code limit} events whose window ends after {@code endsAfter}, newest first. */
	Flux<Coupon> findEndingAfter(Instant endsAfter, int limit) {
		return this.db.sql("SELECT " + COUPON_COLUMNS + " FROM coupons WHERE ends_at > ? ORDER BY id DESC LIMIT ?")
			.bind(0, utc(endsAfter))
			.bind(1, limit)
			.map(CouponRepository::coupon)
			.all();
	}

	/**
	 * Takes the row lock of coupon {@code couponId} until the end of the current transaction and reads
	 * its figures under it; empty when the coupon does not exist.
	 */
	Mono<LockedCoupon> lockCoupon(long couponId) {
		return this.db.sql("SELECT total_quantity, issued_count, ends_at FROM coupons WHERE id = ? FOR UPDATE")
			.bind(0, couponId)
			.map((row) -> new LockedCoupon(row.get("total_quantity", Integer.class), row.get("issued_count", Integer.class),
					instant(row, "ends_at")))
			.one();
	}

	/** The user ids holding coupon {@code couponId} in MySQL, to rebuild the Redis holders. */
	Flux<Long> findHolderIds(long couponId) {
		return this.db.sql("SELECT user_id FROM user_coupons WHERE coupon_id = ?")
			.bind(0, couponId)
			.map((row) -> row.get("user_id", Long.class))
			.all();
	}

	/**
	 * Inserts the pending issues of one coupon with their tokens ({@code issue_ref}), skipping any (user,
	 * coupon) already present.
	 * @return the number of rows actually inserted
	 */
	Mono<Long> insertUserCoupons(long couponId, List<PendingIssue> issues) {
		StringJoiner values = new StringJoiner(", ");
		issues.forEach((issue) -> values.add("(?, ?, '" + UserCouponStatus.AVAILABLE + "', ?, ?, ?)"));
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(
				"INSERT IGNORE INTO user_coupons (user_id, coupon_id, status, issued_at, expires_at, issue_ref) VALUES "
						+ values);
		int index = 0;
		for (PendingIssue issue : issues) {
			spec = spec.bind(index++, issue.userId())
				.bind(index++, couponId)
				.bind(index++, utc(issue.issuedAt()))
				.bind(index++, utc(issue.expiresAt()));
			spec = (issue.token() != null) ? spec.bind(index++, issue.token()) : spec.bindNull(index++, String.class);
		}
		return spec.fetch().rowsUpdated();
	}

	/** Adds {@code count} newly inserted user coupons to the coupon's {@code issued_count}. */
	Mono<Long> addIssuedCount(long couponId, long count) {
		return this.db.sql("UPDATE coupons SET issued_count = issued_count + ? WHERE id = ?")
			.bind(0, count)
			.bind(1, couponId)
			.fetch()
			.rowsUpdated();
	}

	/** The user coupons of {@code couponId} held by {@code userIds}. */
	Flux<IssuedCouponRow> findUserCoupons(long couponId, List<Long> userIds) {
		StringJoiner in = new StringJoiner(", ", "(", ")");
		userIds.forEach((id) -> in.add("?"));
		DatabaseClient.GenericExecuteSpec spec = this.db
			.sql("SELECT id, user_id, issued_at, issue_ref FROM user_coupons WHERE coupon_id = ? AND user_id IN " + in)
			.bind(0, couponId);
		int index = 1;
		for (Long userId : userIds) {
			spec = spec.bind(index++, userId);
		}
		return spec.map((row) -> new IssuedCouponRow(row.get("user_id", Long.class),
				new IssuedCoupon(row.get("id", Long.class), couponId, instant(row, "issued_at")),
				row.get("issue_ref", String.class)))
			.all();
	}

	/** The user's coupons that are AVAILABLE and not expired at {@code now}, newest first. */
	Flux<UserCouponView> findAvailable(long userId, Instant now) {
		return this.db.sql("SELECT uc.id, uc.coupon_id, c.name, c.discount_amount, uc.status, uc.issued_at, uc.expires_at "
				+ "FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id "
				+ "WHERE uc.user_id = ? AND uc.status = '" + UserCouponStatus.AVAILABLE + "' AND uc.expires_at > ? "
				+ "ORDER BY uc.issued_at DESC, uc.id DESC")
			.bind(0, userId)
			.bind(1, utc(now))
			.map((row) -> new UserCouponView(row.get("id", Long.class), row.get("coupon_id", Long.class),
					row.get("name", String.class), row.get("discount_amount", Long.class),
					UserCouponStatus.valueOf(row.get("status", String.class)),
					instant(row, "issued_at"), instant(row, "expires_at")))
			.all();
	}

	/**
	 * A user coupon read back in a commit, keyed by its holder.
	 * @param issueRef the token of the issue that created it, null for rows older than tokens
	 */
	record IssuedCouponRow(long userId, IssuedCoupon coupon, String issueRef) {
	}

	/** A coupon's figures read under its row lock. */
	record LockedCoupon(int totalQuantity, int issuedCount, Instant endsAt) {
	}

	private static Coupon coupon(Readable row) {
		return new Coupon(row.get("id", Long.class), row.get("code", String.class), row.get("name", String.class),
				row.get("discount_amount", Long.class), row.get("total_quantity", Integer.class),
				row.get("issued_count", Integer.class), instant(row, "starts_at"), instant(row, "ends_at"),
				row.get("valid_days", Integer.class), CouponStatus.valueOf(row.get("status", String.class)),
				instant(row, "created_at"));
	}


}
