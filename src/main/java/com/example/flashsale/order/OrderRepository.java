package com.example.flashsale.order;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import com.example.flashsale.order.OrderViews.Item;
import com.example.flashsale.order.OrderViews.OrderView;
import com.example.flashsale.support.db.DbErrors;
import com.example.flashsale.support.db.SqlBatch;

import static com.example.flashsale.support.db.UtcColumns.instant;
import static com.example.flashsale.support.db.UtcColumns.utc;

/** SQL for orders, their items, payments and outbox events over R2DBC; transactions are the callers'. */
@Repository
class OrderRepository {

	private static final String ORDER_COLUMNS = "id, user_id, idempotency_key, request_hash, status, total_amount, "
			+ "discount_amount, paid_amount, user_coupon_id, failure_reason, response_status, response_body, "
			+ "created_at, updated_at";

	private final DatabaseClient db;

	OrderRepository(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * An order row as stored.
	 * @param responseStatus the HTTP status of the stored answer, null while PENDING
	 * @param responseBody the stored answer's JSON, null while PENDING
	 */
	record OrderRow(long id, long userId, String idempotencyKey, String requestHash, OrderStatus status, long totalAmount,
			long discountAmount, long paidAmount, Long userCouponId, String failureReason, Integer responseStatus,
			String responseBody, Instant createdAt, Instant updatedAt) {
	}

	/** Items in the order their foreign-key checks lock product rows: by product id, as payments lock them. */
	private static final Comparator<NewItem> BY_PRODUCT_THEN_ORDER = Comparator
		.comparingLong((NewItem item) -> item.item().productId())
		.thenComparingLong(NewItem::orderId);

	/** The insert of a PENDING order unless its key has a refusal; its arguments are {@link #bindPending}'s. */
	private static final String INSERT_PENDING = "INSERT INTO orders (user_id, idempotency_key, request_hash, status, "
			+ "total_amount, discount_amount, paid_amount, user_coupon_id, created_at, updated_at) SELECT ?, ?, ?, '"
			+ OrderStatus.PENDING + "', ?, ?, 0, ?, ?, ? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM order_refusals "
			+ "WHERE user_id = ? AND idempotency_key = ?)";

	/**
	 * A PENDING order to insert.
	 * @param items its lines at their unit prices, one per product
	 * @param total the total (KRW)
	 * @param discount the coupon's discount (KRW)
	 * @param userCouponId the coupon it uses, or null
	 */
	record NewOrder(long userId, String idempotencyKey, String requestHash, List<Item> items, long total, long discount,
			Long userCouponId, Instant now) {
	}

	/**
	 * Inserts a PENDING order and its items (the caller's transaction), unless the key was refused before
	 * any order existed: the order row is inserted by {@code INSERT ... SELECT ... WHERE NOT EXISTS} on
	 * {@code order_refusals}, so the check costs no round trip of its own. The unique key (user_id,
	 * idempotency_key) refuses a second order for one key (MySQL error 1062); an unknown user fails the
	 * foreign key (1452).
	 * @return the order id; empty when the key has a refusal (nothing inserted)
	 */
	Mono<Long> insertPending(NewOrder order) {
		return bindPending(this.db.sql(INSERT_PENDING), order, 0)
			.filter((statement) -> statement.returnGeneratedValues("id"))
			.map((row) -> row.get("id", Long.class))
			.one()
			// no row inserted: no id (a driver reporting the last insert id may say 0)
			.filter((orderId) -> orderId > 0)
			.flatMap((orderId) -> insertItems(orderId, order.items(), utc(order.now())).thenReturn(orderId));
	}

	private static DatabaseClient.GenericExecuteSpec bindPending(DatabaseClient.GenericExecuteSpec insert, NewOrder order,
			int from) {
		LocalDateTime at = utc(order.now());
		int index = from;
		insert = insert.bind(index++, order.userId())
			.bind(index++, order.idempotencyKey())
			.bind(index++, order.requestHash())
			.bind(index++, order.total())
			.bind(index++, order.discount());
		insert = (order.userCouponId() != null) ? insert.bind(index++, order.userCouponId()) : insert.bindNull(index++, Long.class);
		return insert.bind(index++, at)
			.bind(index++, at)
			.bind(index++, order.userId())
			.bind(index, order.idempotencyKey());
	}

	/**
	 * Inserts {@code orders} PENDING with their items in two round trips (the caller's transaction; docs/
	 * architecture.md "Orders in groups"), each as {@link #insertPending} would: not when its key was refused
	 * before. The first sends every order's insert and reads the new ids back by key; the second inserts the
	 * items of all of them as one multi-row {@code INSERT ... VALUES}, sorted by product id. Not one
	 * {@code INSERT ... SELECT} per order's items: on MariaDB (innodb_autoinc_lock_mode 1) such a statement
	 * holds the table's AUTO-INC lock while its foreign key check waits for a product row a payment locks,
	 * and groups deadlocked on it (seen in bench-order.sh); the product rows' shared locks are taken in
	 * product order, as the payments take theirs.
	 * @return per order, in order: its id, or null when its key has a refusal (nothing inserted for it); a
	 * key with an order already (1062) or an unknown user (1452) fails the whole group
	 */
	Mono<List<Long>> insertPendingGroup(List<NewOrder> orders) {
		StringBuilder sql = new StringBuilder();
		StringBuilder ids = new StringBuilder("SELECT id, user_id, idempotency_key FROM orders WHERE ");
		for (int i = 0; i < orders.size(); i++) {
			sql.append(INSERT_PENDING).append(";\n");
			ids.append((i > 0) ? " OR " : "").append("(user_id = ? AND idempotency_key = ?)");
		}
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.append(ids).toString());
		int index = 0;
		for (NewOrder order : orders) {
			spec = bindPending(spec, order, index);
			index += 10;
		}
		for (NewOrder order : orders) {
			spec = spec.bind(index++, order.userId()).bind(index++, order.idempotencyKey());
		}
		return spec.map((row) -> new InsertedOrder(row.get("user_id", Long.class), row.get("idempotency_key", String.class),
				row.get("id", Long.class)))
			.all()
			.collectList()
			.flatMap((inserted) -> {
				List<Long> result = new ArrayList<>(orders.size());
				List<NewItem> items = new ArrayList<>();
				for (NewOrder order : orders) {
					Long id = inserted.stream()
						.filter((row) -> row.userId() == order.userId() && row.idempotencyKey().equals(order.idempotencyKey()))
						.map(InsertedOrder::id)
						.findFirst()
						.orElse(null);
					result.add(id);
					if (id != null) {
						LocalDateTime at = utc(order.now());
						order.items().forEach((item) -> items.add(new NewItem(id, item, at)));
					}
				}
				items.sort(BY_PRODUCT_THEN_ORDER);
				return insertItems(items).thenReturn(result);
			});
	}

	private record InsertedOrder(long userId, String idempotencyKey, long id) {
	}

	private record NewItem(long orderId, Item item, LocalDateTime at) {
	}

	private Mono<Void> insertItems(long orderId, List<Item> items, LocalDateTime at) {
		return insertItems(items.stream().map((item) -> new NewItem(orderId, item, at)).sorted(BY_PRODUCT_THEN_ORDER).toList());
	}

	/** Inserts {@code items} in one multi-row {@code INSERT ... VALUES}, in their order; nothing when empty. */
	private Mono<Void> insertItems(List<NewItem> items) {
		if (items.isEmpty()) {
			return Mono.empty();
		}
		StringBuilder sql = new StringBuilder(
				"INSERT INTO order_items (order_id, product_id, quantity, unit_price, created_at) VALUES ");
		for (int i = 0; i < items.size(); i++) {
			sql.append((i > 0) ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
		}
		DatabaseClient.GenericExecuteSpec spec = this.db.sql(sql.toString());
		int index = 0;
		for (NewItem item : items) {
			spec = spec.bind(index++, item.orderId())
				.bind(index++, item.item().productId())
				.bind(index++, item.item().quantity())
				.bind(index++, item.item().unitPrice())
				.bind(index++, item.at());
		}
		return spec.then();
	}

	/**
	 * Sets a PENDING order's unit prices and amounts to what its payment charges (the committed prices,
	 * when the catalogue cache it was priced from was stale).
	 */
	Mono<Void> reprice(long orderId, List<Item> items, long total, long discount) {
		return this.db.sql("UPDATE orders SET total_amount = ?, discount_amount = ? WHERE id = ?")
			.bind(0, total)
			.bind(1, discount)
			.bind(2, orderId)
			.then()
			.thenMany(Flux.fromIterable(items)
				.concatMap((item) -> this.db.sql("UPDATE order_items SET unit_price = ? WHERE order_id = ? AND product_id = ?")
					.bind(0, item.unitPrice())
					.bind(1, orderId)
					.bind(2, item.productId())
					.then()))
			.then();
	}

	/** Runs {@code batch} (statements of several features) in the caller's transaction, in one round trip. */
	Mono<Void> run(SqlBatch batch) {
		return batch.run(this.db);
	}

	/** Inserts the payment row of a paid order ({@code amount} KRW), as one statement of a batch. */
	SqlBatch.Part insertPayment(long orderId, long amount, Instant now) {
		return SqlBatch.Part.unchecked("INSERT INTO payments (order_id, amount, paid_at) VALUES (?, ?, ?)", orderId, amount,
				utc(now));
	}

	/**
	 * Moves a PENDING order to PAID with its paid amount and stored answer, as one statement of a batch.
	 * @param check given the affected rows: 1 when the order was PENDING, 0 otherwise
	 */
	SqlBatch.Part markPaid(long orderId, long paidAmount, int responseStatus, String responseBody, Instant now,
			LongFunction<Mono<Void>> check) {
		return new SqlBatch.Part(leavePendingSql(OrderStatus.PAID, "paid_amount = ?, response_status = ?, response_body = ?"),
				List.of(paidAmount, responseStatus, responseBody, utc(now), orderId), check);
	}

	/**
	 * Moves a PENDING order to FAILED with its reason (an error code) and stored answer.
	 * @return true when the order was PENDING
	 */
	Mono<Boolean> markFailed(long orderId, String reason, int responseStatus, String responseBody, Instant now) {
		return leavePending(orderId, OrderStatus.FAILED, "failure_reason = ?, response_status = ?, response_body = ?", now, reason,
				responseStatus, responseBody);
	}

	/**
	 * Marks a PENDING order CANCELED with {@code reason} (the caller's transaction).
	 * @return false when it was not PENDING
	 */
	Mono<Boolean> markCanceled(long orderId, String reason, Instant now) {
		return leavePending(orderId, OrderStatus.CANCELED, "failure_reason = ?", now, reason);
	}

	/**
	 * {@code UPDATE orders SET status = <status>, <assignments>, updated_at = <now> WHERE id = ? AND status =
	 * 'PENDING'}, binding {@code values} to the assignments' placeholders in order.
	 * @return true when the order was PENDING
	 */
	private Mono<Boolean> leavePending(long orderId, OrderStatus status, String assignments, Instant now,
			Object... values) {
		DatabaseClient.GenericExecuteSpec update = this.db.sql(leavePendingSql(status, assignments));
		for (int i = 0; i < values.length; i++) {
			update = update.bind(i, values[i]);
		}
		return update.bind(values.length, utc(now))
			.bind(values.length + 1, orderId)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	/** {@code UPDATE orders SET status = <status>, <assignments>, updated_at = ? WHERE id = ? AND status = 'PENDING'}. */
	private static String leavePendingSql(OrderStatus status, String assignments) {
		return "UPDATE orders SET status = '" + status + "', " + assignments + ", updated_at = ? WHERE id = ? AND status = '"
				+ OrderStatus.PENDING + "'";
	}

	/** The order {@code userId} placed with {@code idempotencyKey}; empty when none. */
	Mono<OrderRow> findByKey(long userId, String idempotencyKey) {
		return this.db.sql("SELECT " + ORDER_COLUMNS + " FROM orders WHERE user_id = ? AND idempotency_key = ?")
			.bind(0, userId)
			.bind(1, idempotencyKey)
			.map(OrderRepository::orderRow)
			.one();
	}

	/**
	 * A refusal of an order request given before any order existed.
	 * @param responseStatus the HTTP status answered
	 * @param responseBody the problem JSON answered
	 */
	record RefusalRow(String requestHash, int responseStatus, String responseBody) {
	}

	/** One refusal to record: the answer given to {@code userId}'s request with {@code idempotencyKey}. */
	record NewRefusal(long userId, String idempotencyKey, String requestHash, int responseStatus, String responseBody) {
	}

	/**
	 * Records {@code refusals} in one statement (one commit for all), each unless its key already has a
	 * refusal or an order (an order placed with the key is its answer, whatever Redis still knows of it).
	 * @return how many were recorded: fewer than {@code refusals.size()} when some keys had a refusal or an
	 * order already
	 */
	Mono<Long> insertRefusals(List<NewRefusal> refusals, Instant now) {
		StringBuilder sql = new StringBuilder("INSERT IGNORE INTO order_refusals (user_id, idempotency_key, request_hash, "
				+ "response_status, response_body, created_at) ");
		for (int i = 0; i < refusals.size(); i++) {
			sql.append((i == 0) ? "" : " UNION ALL ")
				.append("SELECT ?, ?, ?, ?, ?, ? FROM DUAL WHERE NOT EXISTS "
						+ "(SELECT 1 FROM orders WHERE user_id = ? AND idempotency_key = ?)");
		}
		DatabaseClient.GenericExecuteSpec insert = this.db.sql(sql.toString());
		int index = 0;
		LocalDateTime createdAt = utc(now);
		for (NewRefusal refusal : refusals) {
			insert = insert.bind(index++, refusal.userId())
				.bind(index++, refusal.idempotencyKey())
				.bind(index++, refusal.requestHash())
				.bind(index++, refusal.responseStatus())
				.bind(index++, refusal.responseBody())
				.bind(index++, createdAt)
				.bind(index++, refusal.userId())
				.bind(index++, refusal.idempotencyKey());
		}
		// the look for an order takes shared gap locks on orders' key (REPEATABLE READ), and an order's insert
		// takes them on order_refusals' (OrderSaga retries that side): a deadlock victim was rolled back whole,
		// so sending it again is safe
		return insert.fetch()
			.rowsUpdated()
			.retryWhen(DbErrors.deadlockRetry());
	}

	/** The refusal recorded for {@code userId}'s {@code idempotencyKey}; empty when none. */
	Mono<RefusalRow> findRefusal(long userId, String idempotencyKey) {
		return this.db.sql("SELECT request_hash, response_status, response_body FROM order_refusals "
				+ "WHERE user_id = ? AND idempotency_key = ?")
			.bind(0, userId)
			.bind(1, idempotencyKey)
			.map((row) -> new RefusalRow(row.get("request_hash", String.class), row.get("response_status", Integer.class),
					row.get("response_body", String.class)))
			.one();
	}

	/**
	 * Deletes up to {@code limit} refusals recorded before {@code cutoff}.
	 * @return how many were deleted
	 */
	Mono<Long> purgeRefusals(Instant cutoff, int limit) {
		return this.db.sql("DELETE FROM order_refusals WHERE created_at < ? LIMIT ?")
			.bind(0, utc(cutoff))
			.bind(1, limit)
			.fetch()
			.rowsUpdated();
	}

	/** The order with its items if {@code userId} placed it; empty otherwise (also for another user's order). */
	Mono<OrderView> findForUser(long orderId, long userId) {
		return this.db.sql("SELECT " + ORDER_COLUMNS + " FROM orders WHERE id = ? AND user_id = ?")
			.bind(0, orderId)
			.bind(1, userId)
			.map(OrderRepository::orderRow)
			.one()
			.flatMap((order) -> findItems(order.id()).collectList()
				.map((items) -> new OrderView(order.id(), order.status(), items, order.totalAmount(),
						order.discountAmount(), order.paidAmount(), order.userCouponId(), order.failureReason(),
						order.createdAt(), order.updatedAt())));
	}

	/** A PENDING order as the recovery job needs it. */
	record PendingOrder(long id, long userId, Long userCouponId) {
	}

	/** Up to {@code limit} ids of PENDING orders created before {@code cutoff}, oldest first. */
	Flux<Long> pendingBefore(Instant cutoff, int limit) {
		return this.db.sql("SELECT id FROM orders WHERE status = '" + OrderStatus.PENDING
				+ "' AND created_at < ? ORDER BY created_at LIMIT ?")
			.bind(0, utc(cutoff))
			.bind(1, limit)
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	/**
	 * Locks {@code orderId}'s row until the caller's transaction ends, if it is PENDING and no other
	 * transaction holds it ({@code FOR UPDATE SKIP LOCKED}: a concurrent recovery of it is skipped, not
	 * waited for).
	 * @return the order; empty when it is not PENDING or is locked
	 */
	Mono<PendingOrder> lockPending(long orderId) {
		return this.db.sql("SELECT id, user_id, user_coupon_id FROM orders WHERE id = ? AND status = '"
				+ OrderStatus.PENDING + "' FOR UPDATE SKIP LOCKED")
			.bind(0, orderId)
			.map((row) -> new PendingOrder(row.get("id", Long.class), row.get("user_id", Long.class),
					row.get("user_coupon_id", Long.class)))
			.one();
	}

	/** Whether {@code orderId}'s payment row exists: its payment transaction committed. */
	Mono<Boolean> hasPayment(long orderId) {
		return this.db.sql("SELECT COUNT(*) AS n FROM payments WHERE order_id = ?")
			.bind(0, orderId)
			.map((row) -> row.get("n", Long.class) > 0)
			.one();
	}

	/** An order's status and when it last changed. */
	record StatusRow(OrderStatus status, Instant updatedAt) {
	}

	/** The status of {@code orderId} if {@code userId} placed it; empty otherwise. */
	Mono<StatusRow> statusFor(long orderId, long userId) {
		return this.db.sql("SELECT status, updated_at FROM orders WHERE id = ? AND user_id = ?")
			.bind(0, orderId)
			.bind(1, userId)
			.map((row) -> new StatusRow(OrderStatus.valueOf(row.get("status", String.class)), instant(row, "updated_at")))
			.one();
	}

	/** The items of an order, by product id. */
	Flux<Item> findItems(long orderId) {
		return this.db
			.sql("SELECT product_id, quantity, unit_price FROM order_items WHERE order_id = ? ORDER BY product_id")
			.bind(0, orderId)
			.map((row) -> new Item(row.get("product_id", Long.class), row.get("quantity", Integer.class),
					row.get("unit_price", Long.class)))
			.all();
	}

	/**
	 * What orders did to one product, as MySQL has it.
	 * @param paidOrders PAID orders with the product
	 * @param paidQuantity units those orders bought
	 * @param pendingOrders PENDING orders with the product
	 */
	record SalesRow(long paidOrders, long paidQuantity, long pendingOrders) {
	}

	private static final String PAID = "'" + OrderStatus.PAID + "'";

	private static final String PENDING = "'" + OrderStatus.PENDING + "'";

	private static final String SALES = "SELECT "
			+ "CAST(COALESCE(SUM(CASE WHEN o.status = " + PAID + " THEN 1 ELSE 0 END), 0) AS SIGNED) AS paid_orders, "
			+ "CAST(COALESCE(SUM(CASE WHEN o.status = " + PAID + " THEN oi.quantity ELSE 0 END), 0) AS SIGNED) AS paid_quantity, "
			+ "CAST(COALESCE(SUM(CASE WHEN o.status = " + PENDING + " THEN 1 ELSE 0 END), 0) AS SIGNED) AS pending_orders "
			+ "FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE oi.product_id = ?";

	/** What orders did to one product (zeros when none has it). */
	Mono<SalesRow> salesOf(long productId) {
		return this.db.sql(SALES)
			.bind(0, productId)
			.map((row) -> new SalesRow(row.get("paid_orders", Long.class), row.get("paid_quantity", Long.class),
					row.get("pending_orders", Long.class)))
			.one();
	}

	/**
	 * The units PENDING orders other than {@code exceptOrderId} hold of each of {@code productIds} (driven
	 * by the status index: PENDING orders are few, a product's sold orders are many).
	 */
	Mono<Map<Long, Long>> pendingUnits(Collection<Long> productIds, long exceptOrderId) {
		if (productIds.isEmpty()) {
			return Mono.just(Map.of());
		}
		return this.db.sql("SELECT oi.product_id, CAST(SUM(oi.quantity) AS SIGNED) AS units FROM orders o "
				+ "JOIN order_items oi ON oi.order_id = o.id WHERE o.status = " + PENDING
				+ " AND o.id <> :except AND oi.product_id IN (:ids) GROUP BY oi.product_id")
			.bind("except", exceptOrderId)
			.bind("ids", productIds)
			.map((row) -> Map.entry(row.get("product_id", Long.class), row.get("units", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	/** How many orders have each status. */
	Mono<Map<OrderStatus, Long>> countByStatus() {
		return this.db.sql("SELECT status, COUNT(*) AS n FROM orders GROUP BY status")
			.map((row) -> Map.entry(OrderStatus.valueOf(row.get("status", String.class)), row.get("n", Long.class)))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue, () -> new EnumMap<>(OrderStatus.class));
	}

	/**
	 * The units PAID orders sold per product and UTC day of payment, for payments in {@code from} (included)
	 * to {@code to} (excluded).
	 */
	Flux<OrderSales.DailySales> paidQuantitiesByDay(LocalDateTime from, LocalDateTime to) {
		return this.db.sql("SELECT oi.product_id, DATE(pay.paid_at) AS sales_date, CAST(SUM(oi.quantity) AS SIGNED) AS quantity "
				+ "FROM payments pay JOIN orders o ON o.id = pay.order_id AND o.status = '" + OrderStatus.PAID + "' "
				+ "JOIN order_items oi ON oi.order_id = o.id "
				+ "WHERE pay.paid_at >= ? AND pay.paid_at < ? GROUP BY oi.product_id, DATE(pay.paid_at)")
			.bind(0, from)
			.bind(1, to)
			.map((row) -> new OrderSales.DailySales(row.get("product_id", Long.class),
					row.get("sales_date", LocalDate.class), row.get("quantity", Long.class)))
			.all();
	}

	private static OrderRow orderRow(Readable row) {
		return new OrderRow(row.get("id", Long.class), row.get("user_id", Long.class),
				row.get("idempotency_key", String.class), row.get("request_hash", String.class),
				OrderStatus.valueOf(row.get("status", String.class)), row.get("total_amount", Long.class), row.get("discount_amount", Long.class),
				row.get("paid_amount", Long.class), row.get("user_coupon_id", Long.class),
				row.get("failure_reason", String.class), row.get("response_status", Integer.class),
				row.get("response_body", String.class), instant(row, "created_at"), instant(row, "updated_at"));
	}

}
