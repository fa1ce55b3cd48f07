package com.example.flashsale.waitingroom;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A waiting room as the API and the operator console show it (docs/api.md "Waiting room").
 * @param status SCHEDULED (before opensAt: tickets go to the pre-queue), OPEN, or CLOSED
 * @param waiting tickets waiting now (queue and pre-queue); null except from GET and the console while open
 * @param admitted admissions so far; null except from GET and the console while open
 */
public record RoomView(long roomId, TargetType targetType, long targetId, int admissionsPerSecond, Instant opensAt,
		String status, @Schema(nullable = true) Long waiting, @Schema(nullable = true) Long admitted) {

	static RoomView of(Room room, Instant now) {
		return new RoomView(room.id(), room.targetType(), room.targetId(), room.admissionsPerSecond(), room.opensAt(),
				room.status(now), null, null);
	}

	RoomView withCounts(long waiting, long admitted) {
		return new RoomView(this.roomId, this.targetType, this.targetId, this.admissionsPerSecond, this.opensAt, this.status,
				waiting, admitted);
	}

}
