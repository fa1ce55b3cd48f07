package com.example.flashsale.coupon;

import java.time.Instant;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/admin/coupons} (docs/api.md "Coupons"). Amounts in KRW.
 *
 * @param code unique event code, letters, digits, '-' and '_'
 * @param totalQuantity coupons the event gives away
 * @param startsAt start of the issue window (inclusive)
 * @param endsAt end of the issue window (exclusive)
 * @param validDays days an issued coupon stays usable
 */
public record NewCoupon(@NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9_-]*") String code,
		@NotBlank @Size(max = 200) String name, @Positive @Max(10_000_000) long discountAmount,
		@Positive @Max(10_000_000) int totalQuantity, @NotNull Instant startsAt, @NotNull Instant endsAt,
		@Positive @Max(3650) int validDays) {

	/** Earliest accepted window instant. */
	static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	/** Latest accepted window instant (DATETIME ends at year 9999). */
	static final Instant LATEST = Instant.parse("9000-01-01T00:00:00Z");

	@AssertTrue(message = "startsAt and endsAt must lie between 2000-01-01 and 9000-01-01")
	boolean isWindowInRange() {
		return inRange(this.startsAt) && inRange(this.endsAt);
	}

	private static boolean inRange(Instant instant) {
		return instant == null || (!instant.isBefore(EARLIEST) && instant.isBefore(LATEST));
	}

	@AssertTrue(message = "endsAt must be after startsAt")
	boolean isWindowValid() {
		return this.startsAt == null || this.endsAt == null || this.endsAt.isAfter(this.startsAt);
	}

}
