package com.example.flashsale.waitingroom;

import java.time.Instant;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static com.example.flashsale.support.db.UtcColumns.instant;
import static com.example.flashsale.support.db.UtcColumns.utc;

/** The table {@code waiting_rooms}: the durable record of every room (docs/domain.md "Waiting rooms"). */
@Repository
class RoomRepository {

	private static final String COLUMNS = "id, target_type, target_id, admissions_per_second, opens_at, status";

	private final DatabaseClient db;

	RoomRepository(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * A new open room.
	 * @return its id; 409 ROOM_ALREADY_OPEN when its target has an open room (the unique open_target decides)
	 */
	Mono<Long> insert(TargetType type, long targetId, int rate, Instant opensAt, Instant now) {
		return this.db.sql("INSERT INTO waiting_rooms (target_type, target_id, admissions_per_second, opens_at, status, "
				+ "open_target, created_at) VALUES (?, ?, ?, ?, 'OPEN', ?, ?)")
			.bind(0, type.name())
			.bind(1, targetId)
			.bind(2, rate)
			.bind(3, utc(opensAt))
			.bind(4, Room.target(type, targetId))
			.bind(5, utc(now))
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> row.get("id", Long.class))
			.one()
			.onErrorMap(DuplicateKeyException.class, (ex) -> new ProblemException(ErrorCode.ROOM_ALREADY_OPEN,
					"The " + type.name().toLowerCase(java.util.Locale.ROOT) + " " + targetId
							+ " already has an open waiting room; close it first."));
	}

	/** The room {@code id}, open or closed; empty when there is none. */
	Mono<Room> find(long id) {
		return this.db.sql("SELECT " + COLUMNS + " FROM waiting_rooms WHERE id = ?").bind(0, id).map(RoomRepository::room).one();
	}

	/** Every open room. */
	Flux<Room> open() {
		return this.db.sql("SELECT " + COLUMNS + " FROM waiting_rooms WHERE status = 'OPEN'").map(RoomRepository::room).all();
	}

	/** Closes the room if it is open; the number of rows changed (0 when it was not open). */
	Mono<Long> close(long id, Instant now) {
		return this.db.sql("UPDATE waiting_rooms SET status = 'CLOSED', open_target = NULL, closed_at = ? "
				+ "WHERE id = ? AND status = 'OPEN'")
			.bind(0, utc(now))
			.bind(1, id)
			.fetch()
			.rowsUpdated();
	}

	private static Room room(Readable row) {
		return new Room(row.get("id", Long.class), TargetType.valueOf(row.get("target_type", String.class)),
				row.get("target_id", Long.class), row.get("admissions_per_second", Integer.class), instant(row, "opens_at"),
				"OPEN".equals(row.get("status", String.class)));
	}

}
