package com.example.flashsale.waitingroom;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.jobs.BackgroundJob;
import com.example.flashsale.support.jobs.SingleRunJobs;

/**
 * Runs the admission step of every open room every {@code pace-interval} (250 ms) on every instance
 * (docs/flows.md "Waiting room"). The step (room-admit.lua) paces itself on Redis's clock, so any number
 * of instances running it admit at the room's rate, and the rooms keep moving while any instance is up.
 */
@Component
class AdmissionPacer extends BackgroundJob {

	private final ActiveRooms rooms;

	private final RoomState state;

	private final WaitingRoomMetrics metrics;

	private final WaitingRoomProperties properties;

	AdmissionPacer(ActiveRooms rooms, RoomState state, WaitingRoomMetrics metrics, WaitingRoomProperties properties,
			SingleRunJobs jobs) {
		super(jobs);
		this.rooms = rooms;
		this.state = state;
		this.metrics = metrics;
		this.properties = properties;
	}

	@Override
	protected Schedule schedule() {
		return Schedule.everyInstance("waiting-room-admissions", Duration.ofMillis(100), this.properties.paceInterval());
	}

	@Override
	protected Mono<?> runOnce() {
		ActiveRooms.Snapshot known = this.rooms.known();
		if (known == null) {
			return Mono.empty();
		}
		this.metrics.retain(known.byId().keySet());
		if (known.byId().isEmpty()) {
			return Mono.empty();
		}
		return Flux.fromIterable(known.byId().values())
			.flatMap((room) -> this.state
				.admit(room, this.properties.grace(), this.properties.admissionTtl(), this.properties.sweepLimit(),
						this.properties.catchUp())
				.doOnNext((step) -> this.metrics.stepped(room, step)))
			.then();
	}

}
