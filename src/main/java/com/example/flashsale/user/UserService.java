package com.example.flashsale.user;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** Creates balance accounts. */
@Service
class UserService {

	private final DatabaseClient db;

	private final Clock clock;

	UserService(DatabaseClient db, Clock clock) {
		this.db = db;
		this.clock = clock;
	}

	/** Creates an account with a zero balance. */
	Mono<User> create(NewUser request) {
		LocalDateTime now = LocalDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		return this.db.sql("INSERT INTO users (name, balance, created_at, updated_at) VALUES (?, 0, ?, ?)")
			.bind(0, request.name())
			.bind(1, now)
			.bind(2, now)
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> new User(row.get("id", Long.class), request.name(), 0))
			.one();
	}

}
