package com.example.flashsale.product;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/** Creates products. */
@Service
class ProductService {

	private final DatabaseClient db;

	private final Clock clock;

	ProductService(DatabaseClient db, Clock clock) {
		this.db = db;
		this.clock = clock;
	}

	/** Creates an ACTIVE product. */
	Mono<Product> create(NewProduct request) {
		LocalDateTime now = LocalDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		return this.db
			.sql("INSERT INTO products (name, price, stock, status, created_at, updated_at) VALUES (?, ?, ?, 'ACTIVE', ?, ?)")
			.bind(0, request.name())
			.bind(1, request.price())
			.bind(2, request.stock())
			.bind(3, now)
			.bind(4, now)
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> new Product(row.get("id", Long.class), request.name(), request.price(), request.stock(),
					"ACTIVE"))
			.one();
	}

}
