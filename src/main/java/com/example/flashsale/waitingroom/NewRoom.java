package com.example.flashsale.waitingroom;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/**
 * Body of {@code POST /api/admin/waiting-rooms} (docs/api.md "Waiting room").
 * @param targetType what the room protects
 * @param targetId the coupon event's or product's id (not checked: a room on an unknown id protects nothing)
 * @param admissionsPerSecond tickets admitted per second, 1 to 10,000
 * @param opensAt when admissions start (tickets taken before wait in the pre-queue, shuffled then); now when absent
 */
public record NewRoom(@NotNull TargetType targetType, @Positive long targetId,
		@Positive @Max(10_000) int admissionsPerSecond, @Schema(nullable = true) Instant opensAt) {

	private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	private static final Instant LATEST = Instant.parse("9000-01-01T00:00:00Z");

	@AssertTrue(message = "opensAt must lie between 2000-01-01 and 9000-01-01")
	boolean isOpensAtInRange() {
		return this.opensAt == null || (!this.opensAt.isBefore(EARLIEST) && this.opensAt.isBefore(LATEST));
	}

}
