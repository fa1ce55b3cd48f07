package com.example.flashsale.waitingroom;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The waiting rooms' meters on {@code /actuator/prometheus} (docs/operations.md "Metrics"), tagged by
 * {@code room}: {@code waitingroom_waiting} (tickets in queue and pre-queue, as the last admission step of
 * this instance saw them), {@code waitingroom_admissions_configured} (admissions per second),
 * {@code waitingroom_admissions_total} (admissions made by this instance's steps: sum the instances and
 * take its rate for the achieved admission rate), {@code waitingroom_dropped_total} (tickets dropped for
 * want of a listener) and {@code waitingroom_position_error} (how far the position shown was below the
 * true one; 0 unless the queue's state was lost and rebuilt).
 */
@Component
class WaitingRoomMetrics {

	private final MeterRegistry registry;

	private final Map<Long, Meters> rooms = new ConcurrentHashMap<>();

	private final DistributionSummary positionError;

	WaitingRoomMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.positionError = DistributionSummary.builder("waitingroom.position.error")
			.description("True position minus the position shown to the ticket's holder")
			.register(registry);
	}

	/** Records one admission step of {@code room}. */
	void stepped(Room room, RoomState.Step step) {
		Meters meters = this.rooms.computeIfAbsent(room.id(), (id) -> new Meters(room));
		meters.waiting.set(step.waiting() + step.prequeue());
		meters.rate.set(room.admissionsPerSecond());
		if (step.admitted() > 0) {
			meters.admissions.increment(step.admitted());
		}
		if (step.dropped() > 0) {
			meters.dropped.increment(step.dropped());
		}
	}

	/** Records the gap between a ticket's true position and the one shown. */
	void positionShown(long told, long actual) {
		this.positionError.record(Math.max(0, actual - told));
	}

	/** Removes the meters of every room not in {@code open} (closed here or on another instance). */
	void retain(java.util.Set<Long> open) {
		for (Long roomId : java.util.List.copyOf(this.rooms.keySet())) {
			if (!open.contains(roomId)) {
				closed(roomId);
			}
		}
	}

	/** Removes the meters of a closed room. */
	void closed(long roomId) {
		Meters meters = this.rooms.remove(roomId);
		if (meters != null) {
			meters.remove();
		}
	}

	private final class Meters {

		final AtomicLong waiting = new AtomicLong();

		final AtomicLong rate = new AtomicLong();

		final Gauge waitingGauge;

		final Gauge rateGauge;

		final Counter admissions;

		final Counter dropped;

		Meters(Room room) {
			String id = Long.toString(room.id());
			String target = room.target();
			this.waitingGauge = Gauge.builder("waitingroom.waiting", this.waiting, AtomicLong::get)
				.description("Tickets waiting in the room (queue and pre-queue)").tag("room", id).tag("target", target)
				.register(WaitingRoomMetrics.this.registry);
			this.rateGauge = Gauge.builder("waitingroom.admissions.configured", this.rate, AtomicLong::get)
				.description("The room's admissions per second").tag("room", id).tag("target", target)
				.register(WaitingRoomMetrics.this.registry);
			this.admissions = Counter.builder("waitingroom.admissions").description("Tickets admitted by this instance")
				.tag("room", id).tag("target", target).register(WaitingRoomMetrics.this.registry);
			this.dropped = Counter.builder("waitingroom.dropped").description("Tickets dropped: no listener for the grace time")
				.tag("room", id).tag("target", target).register(WaitingRoomMetrics.this.registry);
		}

		void remove() {
			WaitingRoomMetrics.this.registry.remove(this.waitingGauge);
			WaitingRoomMetrics.this.registry.remove(this.rateGauge);
			WaitingRoomMetrics.this.registry.remove(this.admissions);
			WaitingRoomMetrics.this.registry.remove(this.dropped);
		}

	}

}
