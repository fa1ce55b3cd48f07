package com.example.flashsale.support.db;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link ConnectionFactory} (the pool) whose every database round trip has a bounded time
 * (docs/operations.md "Timeouts"): a statement until its first answer, a transaction's begin,
 * commit and rollback, a savepoint, a session setting, a validation. One that gets no answer within
 * {@code timeout} fails with an {@link R2dbcTimeoutException} (answered 503 with {@code Retry-After}),
 * so a database that holds its connections open but stops answering (frozen, partitioned, overloaded)
 * costs a request at most the pool's acquire time plus {@code timeout}, never the minutes the kernel
 * takes to give up on the socket. Once a round trip timed out, the others fail at once until the
 * database answers again (one probe per {@code timeout} goes through). A statement is bounded until its
 * first answer (a result, a row, a count): later rows are not timed, so a consumer that asks for the next
 * row late (work per row) never turns into a false timeout, and a database sends a result's rows together.
 *
 * <p>Closing a connection (giving it back to the pool) always runs to its end: the pool must get every
 * connection back, and r2dbc-mysql finishes reading the answer of a timed-out statement before the
 * connection serves anything else, so a connection whose statement timed out returns to the pool once the
 * database answers again. The caller waits for a release at most {@code timeout} (and not at all on such a
 * stuck connection: see {@code BoundedConnection}). Acquiring from the pool is bounded by the pool itself
 * ({@code spring.r2dbc.pool.max-acquire-time}).
 */
public final class BoundedConnectionFactory implements ConnectionFactory, Wrapped<ConnectionFactory>, Disposable {

	private static final Log logger = LogFactory.getLog(BoundedConnectionFactory.class);

	private final ConnectionFactory delegate;

	private final Duration timeout;

	/** {@link System#nanoTime()} of the first timeout since the database last answered; 0 while it answers. */
	private final AtomicLong unansweredSince = new AtomicLong();

	/** When the last probe was let through, or the last round trip timed out, whichever is later. */
	private final AtomicLong lastProbe = new AtomicLong();

	/** Bounds every round trip of {@code delegate}'s connections by {@code timeout}. */
	public BoundedConnectionFactory(ConnectionFactory delegate, Duration timeout) {
		this.delegate = delegate;
		this.timeout = timeout;
	}

	@Override
	public Publisher<? extends Connection> create() {
		return Mono.from(this.delegate.create()).map((connection) -> new BoundedConnection(connection, this));
	}

	/**
	 * Whether a round trip may start: always while the database answers; once one timed out and none was
	 * answered since, only one probe per {@code timeout}, the others fail at once. So a request whose first
	 * statement timed out does not wait a second bound in its fallback or cleanup, and a crowd gets its
	 * 503 at once while the database is frozen; the first answer (a probe) opens the way again.
	 */
	private boolean mayStart() {
		long since = this.unansweredSince.get();
		if (since == 0) {
			return true;
		}
		long now = System.nanoTime();
		long probe = this.lastProbe.get();
		return now - probe >= this.timeout.toNanos() && this.lastProbe.compareAndSet(probe, now);
	}

	private void answered() {
		if (this.unansweredSince.get() != 0) {
			this.unansweredSince.set(0);
		}
	}

	/**
	 * A round trip timed out. The next probe is due one {@code timeout} from now, so the steps that follow
	 * in the same request (a fallback read, a cleanup) fail at once instead of each waiting a bound.
	 */
	private void unanswered() {
		long now = System.nanoTime();
		this.unansweredSince.compareAndSet(0, now);
		this.lastProbe.set(now);
	}

	@Override
	public ConnectionFactoryMetadata getMetadata() {
		return this.delegate.getMetadata();
	}

	@Override
	public ConnectionFactory unwrap() {
		return this.delegate;
	}

	/** Disposes the wrapped pool (the pool bean's destroy method, now called on this wrapper). */
	@Override
	public void dispose() {
		if (this.delegate instanceof Disposable disposable) {
			disposable.dispose();
		}
	}

	@Override
	public boolean isDisposed() {
		return (this.delegate instanceof Disposable disposable) && disposable.isDisposed();
	}

	@Override
	public String toString() {
		return "BoundedConnectionFactory[" + this.timeout + ", " + this.delegate + "]";
	}

	private static R2dbcTimeoutException noAnswer(Duration timeout, String what) {
		return new R2dbcTimeoutException("The database did not answer within " + timeout.toMillis() + " ms: " + what);
	}

	/**
	 * One connection. After a round trip timed out the connection is <em>stuck</em>: the driver reads the
	 * late answer before anything else on it. From then on statements, begin and commit fail at once
	 * without running, and the cleanup the caller does next (rollback, restoring auto-commit or isolation,
	 * close) is started but not waited for: it runs, in order, once the database answers, and only then is
	 * the connection back in the pool. So the caller's error comes after one bound, not one per cleanup step.
	 */
	private static final class BoundedConnection implements Connection, Wrapped<Connection> {

		private final Connection delegate;

		private final BoundedConnectionFactory factory;

		private final Duration timeout;

		private final AtomicBoolean stuck = new AtomicBoolean();

		BoundedConnection(Connection delegate, BoundedConnectionFactory factory) {
			this.delegate = delegate;
			this.factory = factory;
			this.timeout = factory.timeout;
		}

		/**
		 * {@code operation} bounded; fails at once without running when the connection is stuck or the
		 * database is not answering (and this is not the probe).
		 */
		<T> Mono<T> bounded(Publisher<T> operation, String what) {
			return Mono.defer(() -> {
				R2dbcTimeoutException refused = refusal(what);
				return (refused != null) ? Mono.<T>error(refused)
						: Mono.from(operation)
							.timeout(this.timeout, Mono.error(() -> timedOut(what)))
							.doOnEach((signal) -> answeredUnlessTimedOut(signal.getThrowable()));
			});
		}

		/** {@code operation}'s first signal bounded, as {@link #bounded}. */
		<T> Flux<T> boundedFlux(Publisher<T> operation, String what) {
			return Flux.defer(() -> {
				R2dbcTimeoutException refused = refusal(what);
				return (refused != null) ? Flux.<T>error(refused)
						: Flux.from(operation)
							.timeout(Mono.delay(this.timeout), (item) -> Mono.never(), Flux.error(() -> timedOut(what)))
							.doOnEach((signal) -> answeredUnlessTimedOut(signal.getThrowable()));
			});
		}

		private R2dbcTimeoutException refusal(String what) {
			if (this.stuck.get()) {
				return noAnswer(this.timeout, what + " (connection stuck)");
			}
			if (!this.factory.mayStart()) {
				// the pool may have handed out a connection still reading a frozen answer: give it back
				// without waiting, as a stuck one
				this.stuck.set(true);
				return noAnswer(this.timeout, what + " (the database is not answering: not sent)");
			}
			return null;
		}

		private void answeredUnlessTimedOut(Throwable error) {
			if (!(error instanceof R2dbcTimeoutException)) {
				this.factory.answered();
			}
		}

		/** A cleanup step: bounded; on a stuck connection started without waiting for it. */
		private Mono<Void> cleanup(Publisher<Void> operation, String what) {
			return Mono.defer(() -> {
				if (this.stuck.get()) {
					Mono.from(operation).subscribe(null, (ex) -> {
						// the connection is being given up on; its late cleanup failing changes nothing
					});
					return Mono.empty();
				}
				return bounded(operation, what);
			});
		}

		private R2dbcTimeoutException timedOut(String what) {
			this.stuck.set(true);
			this.factory.unanswered();
			return noAnswer(this.timeout, what);
		}

		@Override
		public Publisher<Void> beginTransaction() {
			return bounded(this.delegate.beginTransaction(), "begin");
		}

		@Override
		public Publisher<Void> beginTransaction(TransactionDefinition definition) {
			return bounded(this.delegate.beginTransaction(definition), "begin");
		}

		@Override
		public Publisher<Void> commitTransaction() {
			return bounded(this.delegate.commitTransaction(), "commit");
		}

		@Override
		public Publisher<Void> rollbackTransaction() {
			return cleanup(this.delegate.rollbackTransaction(), "rollback");
		}

		/**
		 * Gives the connection back to the pool. The release itself always runs to its end (the pool must get
		 * every connection back); the caller waits for it at most {@code timeout}, then goes on with a warning
		 * while the release finishes on its own: a driver whose connection stalled (r2dbc-mysql's request
		 * queue, asyncer-io/r2dbc-mysql issues 347 and 349) would otherwise hold the request for ever. On a
		 * stuck connection it is not waited for at all.
		 */
		@Override
		public Publisher<Void> close() {
			return Mono.defer(() -> {
				if (this.stuck.get()) {
					Mono.from(this.delegate.close()).subscribe(null, (ex) -> {
						// the pool logs its own failures
					});
					return Mono.empty();
				}
				Sinks.Empty<Void> released = Sinks.empty();
				Mono.from(this.delegate.close()).subscribe(null, released::tryEmitError, released::tryEmitEmpty);
				return released.asMono().timeout(this.timeout, Mono.fromRunnable(() -> logger.warn(
						"Giving a connection back to the pool took more than " + this.timeout.toMillis()
								+ " ms; the request goes on and the release finishes on its own")));
			});
		}

		@Override
		public Batch createBatch() {
			return new BoundedBatch(this.delegate.createBatch(), this);
		}

		@Override
		public Publisher<Void> createSavepoint(String name) {
			return bounded(this.delegate.createSavepoint(name), "savepoint");
		}

		@Override
		public Statement createStatement(String sql) {
			return new BoundedStatement(this.delegate.createStatement(sql), sql, this);
		}

		@Override
		public boolean isAutoCommit() {
			return this.delegate.isAutoCommit();
		}

		@Override
		public ConnectionMetadata getMetadata() {
			return this.delegate.getMetadata();
		}

		@Override
		public IsolationLevel getTransactionIsolationLevel() {
			return this.delegate.getTransactionIsolationLevel();
		}

		@Override
		public Publisher<Void> releaseSavepoint(String name) {
			return cleanup(this.delegate.releaseSavepoint(name), "release savepoint");
		}

		@Override
		public Publisher<Void> rollbackTransactionToSavepoint(String name) {
			return cleanup(this.delegate.rollbackTransactionToSavepoint(name), "rollback to savepoint");
		}

		@Override
		public Publisher<Void> setAutoCommit(boolean autoCommit) {
			return cleanup(this.delegate.setAutoCommit(autoCommit), "autocommit");
		}

		@Override
		public Publisher<Void> setLockWaitTimeout(Duration lockWaitTimeout) {
			return bounded(this.delegate.setLockWaitTimeout(lockWaitTimeout), "lock wait timeout");
		}

		@Override
		public Publisher<Void> setStatementTimeout(Duration statementTimeout) {
			return bounded(this.delegate.setStatementTimeout(statementTimeout), "statement timeout");
		}

		@Override
		public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
			return cleanup(this.delegate.setTransactionIsolationLevel(isolationLevel), "isolation level");
		}

		@Override
		public Publisher<Boolean> validate(ValidationDepth depth) {
			return bounded(this.delegate.validate(depth), "validate");
		}

		@Override
		public Connection unwrap() {
			return this.delegate;
		}

	}

	private static final class BoundedStatement implements Statement, Wrapped<Statement> {

		private final Statement delegate;

		private final String sql;

		private final BoundedConnection connection;

		BoundedStatement(Statement delegate, String sql, BoundedConnection connection) {
			this.delegate = delegate;
			this.sql = sql;
			this.connection = connection;
		}

		@Override
		public Statement add() {
			this.delegate.add();
			return this;
		}

		@Override
		public Statement bind(int index, Object value) {
			this.delegate.bind(index, value);
			return this;
		}

		@Override
		public Statement bind(String name, Object value) {
			this.delegate.bind(name, value);
			return this;
		}

		@Override
		public Statement bindNull(int index, Class<?> type) {
			this.delegate.bindNull(index, type);
			return this;
		}

		@Override
		public Statement bindNull(String name, Class<?> type) {
			this.delegate.bindNull(name, type);
			return this;
		}

		@Override
		public Statement returnGeneratedValues(String... columns) {
			this.delegate.returnGeneratedValues(columns);
			return this;
		}

		@Override
		public Statement fetchSize(int rows) {
			this.delegate.fetchSize(rows);
			return this;
		}

		@Override
		public Publisher<? extends Result> execute() {
			return this.connection.boundedFlux(this.delegate.execute(), this.sql)
				.map((result) -> new BoundedResult(result, this.sql, this.connection));
		}

		@Override
		public Statement unwrap() {
			return this.delegate;
		}

	}

	private static final class BoundedBatch implements Batch {

		private final Batch delegate;

		private final BoundedConnection connection;

		BoundedBatch(Batch delegate, BoundedConnection connection) {
			this.delegate = delegate;
			this.connection = connection;
		}

		@Override
		public Batch add(String sql) {
			this.delegate.add(sql);
			return this;
		}

		@Override
		public Publisher<? extends Result> execute() {
			return this.connection.boundedFlux(this.delegate.execute(), "batch")
				.map((result) -> new BoundedResult(result, "batch", this.connection));
		}

	}

	/** A result whose first row (or update count, or end) must arrive within the bound. */
	private static final class BoundedResult implements Result, Wrapped<Result> {

		private final Result delegate;

		private final String sql;

		private final BoundedConnection connection;

		BoundedResult(Result delegate, String sql, BoundedConnection connection) {
			this.delegate = delegate;
			this.sql = sql;
			this.connection = connection;
		}

		@Override
		public Publisher<Long> getRowsUpdated() {
			return this.connection.boundedFlux(this.delegate.getRowsUpdated(), this.sql);
		}

		@Override
		public <T> Publisher<T> map(BiFunction<Row, RowMetadata, ? extends T> mappingFunction) {
			return this.connection.boundedFlux(this.delegate.map(mappingFunction), this.sql);
		}

		@Override
		public <T> Publisher<T> map(Function<? super Readable, ? extends T> mappingFunction) {
			return this.connection.boundedFlux(this.delegate.map(mappingFunction), this.sql);
		}

		@Override
		public Result filter(Predicate<Segment> filter) {
			return new BoundedResult(this.delegate.filter(filter), this.sql, this.connection);
		}

		@Override
		public <T> Publisher<T> flatMap(Function<Segment, ? extends Publisher<? extends T>> mappingFunction) {
			return this.connection.boundedFlux(this.delegate.flatMap(mappingFunction), this.sql);
		}

		@Override
		public Result unwrap() {
			return this.delegate;
		}

	}

}
