package com.example.flashsale.waitingroom;

import java.time.Instant;

/**
 * A waiting room as MySQL has it ({@code waiting_rooms}).
 * @param admissionsPerSecond the admission rate
 * @param opensAt when the pre-queue is shuffled and admissions start
 * @param open false once an admin closed it
 */
record Room(long id, TargetType targetType, long targetId, int admissionsPerSecond, Instant opensAt, boolean open) {

	/** The status the API shows at {@code now}: SCHEDULED before the opening, OPEN, CLOSED. */
	String status(Instant now) {
		if (!this.open) {
			return "CLOSED";
		}
		return now.isBefore(this.opensAt) ? "SCHEDULED" : "OPEN";
	}

	/** The key of its target, e.g. {@code COUPON:12}. */
	String target() {
		return target(this.targetType, this.targetId);
	}

	static String target(TargetType type, long id) {
		return type.name() + ":" + id;
	}

}
