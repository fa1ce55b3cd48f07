package com.example.flashsale;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Database faults that tests arm one at a time: a statement that fails before it reaches the
 * database, or a commit whose reply is lost (committed or not). The test context's
 * {@link ConnectionFactory} is wrapped by an {@link Installer} ({@link TestInfrastructure}), so the
 * service's transactions meet the faults exactly as they would meet a broken connection. Every arm
 * fires at most once and then disarms; arming and firing use atomics only, safe on the event loop.
 */
public final class DatabaseFaults {

	private final AtomicReference<String> statementFault = new AtomicReference<>();

	/** The database error number the armed statement fault carries; 0 for a resource failure. */
	private volatile int statementErrorCode;

	private final AtomicReference<CommitFault> commitFault = new AtomicReference<>();

	private final AtomicInteger fired = new AtomicInteger();

	/**
	 * Arms a statement fault: the next statement whose SQL, leading and trailing whitespace stripped,
	 * starts with {@code sqlPrefix} (ignoring case) fails on {@code execute()} (in a multi-statement batch:
	 * the whole batch, as when its connection breaks, if one of its statements starts so) with an
	 * {@link R2dbcNonTransientResourceException} and never reaches the database. Replaces any statement
	 * fault armed before.
	 */
	public void failStatement(String sqlPrefix) {
		this.statementErrorCode = 0;
		this.statementFault.set(sqlPrefix);
	}

	/**
	 * Arms a deadlock: like {@link #failStatement}, but the statement fails as InnoDB's deadlock victim does
	 * (error 1213, SQLSTATE 40001, an {@link R2dbcTransientResourceException}).
	 */
	public void deadlock(String sqlPrefix) {
		this.statementErrorCode = 1213;
		this.statementFault.set(sqlPrefix);
	}

	/**
	 * Arms a lost commit reply: the next transaction that executed a statement starting with
	 * {@code sqlPrefix} (as in {@link #failStatement}) really commits when {@code committed} is true,
	 * otherwise rolls back, and either way its commit signals an {@link R2dbcTransientResourceException}:
	 * the client cannot tell which happened. Replaces any commit fault armed before.
	 */
	public void loseCommitReply(String sqlPrefix, boolean committed) {
		this.commitFault.set(new CommitFault(sqlPrefix, committed));
	}

	/** Disarms every fault and sets {@link #fired()} back to zero. */
	public void reset() {
		this.statementFault.set(null);
		this.commitFault.set(null);
		this.fired.set(0);
	}

	/** How many injected faults fired since the last {@link #reset()}. */
	public int fired() {
		return this.fired.get();
	}

	/** {@code factory} with these faults injected into its connections. */
	ConnectionFactory wrap(ConnectionFactory factory) {
		return new FaultyConnectionFactory(factory, this);
	}

	/** Whether {@code sql}, or one statement of it when it is a multi-statement batch, starts with {@code prefix}. */
	private static boolean matches(String sql, String prefix) {
		for (String statement : sql.split(";")) {
			if (statement.strip().regionMatches(true, 0, prefix, 0, prefix.length())) {
				return true;
			}
		}
		return false;
	}

	/** Whether {@code sql} consumes the armed statement fault. */
	private boolean statementFaultFires(String sql) {
		String prefix = this.statementFault.get();
		if (prefix != null && matches(sql, prefix) && this.statementFault.compareAndSet(prefix, null)) {
			this.fired.incrementAndGet();
			return true;
		}
		return false;
	}

	/** The armed commit fault if {@code sql} matches it, otherwise {@code null}. */
	private CommitFault commitFaultMatching(String sql) {
		CommitFault fault = this.commitFault.get();
		return (fault != null && matches(sql, fault.sqlPrefix())) ? fault : null;
	}

	/** Whether {@code fault} is still armed; if so it fires now and disarms. */
	private boolean commitFaultFires(CommitFault fault) {
		if (fault != null && this.commitFault.compareAndSet(fault, null)) {
			this.fired.incrementAndGet();
			return true;
		}
		return false;
	}

	/**
	 * Wraps every {@link ConnectionFactory} bean in the test context. A static {@code @Bean}, created
	 * before the factory, so the service, the transaction manager and {@code DatabaseClient} all get the
	 * wrapped factory.
	 */
	static final class Installer implements BeanPostProcessor {

		private final DatabaseFaults faults;

		Installer(DatabaseFaults faults) {
			this.faults = faults;
		}

		DatabaseFaults faults() {
			return this.faults;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof ConnectionFactory factory && !(bean instanceof FaultyConnectionFactory)) {
				return this.faults.wrap(factory);
			}
			return bean;
		}

	}

	private record CommitFault(String sqlPrefix, boolean committed) {
	}

	/**
	 * The wrapped factory. Its bean keeps the pool's destroy method ({@code dispose}), and
	 * {@link #unwrap()} lets pool metrics find the pool.
	 */
	static final class FaultyConnectionFactory implements ConnectionFactory, Wrapped<ConnectionFactory> {

		private final ConnectionFactory delegate;

		private final DatabaseFaults faults;

		FaultyConnectionFactory(ConnectionFactory delegate, DatabaseFaults faults) {
			this.delegate = delegate;
			this.faults = faults;
		}

		@Override
		public Publisher<? extends Connection> create() {
			return Mono.from(this.delegate.create()).map((connection) -> new FaultyConnection(connection, this.faults));
		}

		@Override
		public ConnectionFactoryMetadata getMetadata() {
			return this.delegate.getMetadata();
		}

		@Override
		public ConnectionFactory unwrap() {
			return this.delegate;
		}

		/** Disposes the wrapped pool: the pool bean's destroy method, now called on this wrapper. */
		public void dispose() {
			if (this.delegate instanceof Disposable disposable) {
				disposable.dispose();
			}
		}

		@Override
		public String toString() {
			return "FaultyConnectionFactory[" + this.delegate + "]";
		}

	}

	/**
	 * One connection as handed out by the pool. Remembers the commit fault a statement matched since
	 * the transaction began; one connection serves one transaction at a time, the atomic only
	 * publishes the value across the threads that transaction hops.
	 */
	static final class FaultyConnection implements Connection, Wrapped<Connection> {

		private final Connection delegate;

		private final DatabaseFaults faults;

		private final AtomicReference<CommitFault> matched = new AtomicReference<>();

		FaultyConnection(Connection delegate, DatabaseFaults faults) {
			this.delegate = delegate;
			this.faults = faults;
		}

		@Override
		public Publisher<Void> beginTransaction() {
			this.matched.set(null);
			return this.delegate.beginTransaction();
		}

		@Override
		public Publisher<Void> beginTransaction(TransactionDefinition definition) {
			this.matched.set(null);
			return this.delegate.beginTransaction(definition);
		}

		@Override
		public Publisher<Void> commitTransaction() {
			return Mono.defer(() -> {
				CommitFault fault = this.matched.getAndSet(null);
				if (!this.faults.commitFaultFires(fault)) {
					return Mono.from(this.delegate.commitTransaction());
				}
				Publisher<Void> outcome = fault.committed() ? this.delegate.commitTransaction()
						: this.delegate.rollbackTransaction();
				return Mono.from(outcome)
					.then(Mono.error(() -> new R2dbcTransientResourceException("injected fault: commit reply lost")));
			});
		}

		@Override
		public Publisher<Void> rollbackTransaction() {
			this.matched.set(null);
			return this.delegate.rollbackTransaction();
		}

		@Override
		public Statement createStatement(String sql) {
			return new FaultyStatement(this.delegate.createStatement(sql), sql, this);
		}

		@Override
		public Batch createBatch() {
			return this.delegate.createBatch();
		}

		@Override
		public Publisher<Void> close() {
			return this.delegate.close();
		}

		@Override
		public Publisher<Void> createSavepoint(String name) {
			return this.delegate.createSavepoint(name);
		}

		@Override
		public Publisher<Void> releaseSavepoint(String name) {
			return this.delegate.releaseSavepoint(name);
		}

		@Override
		public Publisher<Void> rollbackTransactionToSavepoint(String name) {
			return this.delegate.rollbackTransactionToSavepoint(name);
		}

		@Override
		public boolean isAutoCommit() {
			return this.delegate.isAutoCommit();
		}

		@Override
		public Publisher<Void> setAutoCommit(boolean autoCommit) {
			return this.delegate.setAutoCommit(autoCommit);
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
		public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
			return this.delegate.setTransactionIsolationLevel(isolationLevel);
		}

		@Override
		public Publisher<Void> setLockWaitTimeout(Duration timeout) {
			return this.delegate.setLockWaitTimeout(timeout);
		}

		@Override
		public Publisher<Void> setStatementTimeout(Duration timeout) {
			return this.delegate.setStatementTimeout(timeout);
		}

		@Override
		public Publisher<Boolean> validate(ValidationDepth depth) {
			return this.delegate.validate(depth);
		}

		@Override
		public Connection unwrap() {
			return this.delegate;
		}

		@Override
		public String toString() {
			return "FaultyConnection[" + this.delegate + "]";
		}

		/** Called as a statement that is not failed goes to the database. */
		private void executing(String sql) {
			CommitFault fault = this.faults.commitFaultMatching(sql);
			if (fault != null) {
				this.matched.set(fault);
			}
		}

	}

	/** One statement: fails in {@link #execute()} when a statement fault is armed for its SQL. */
	static final class FaultyStatement implements Statement, Wrapped<Statement> {

		private final Statement delegate;

		private final String sql;

		private final FaultyConnection connection;

		FaultyStatement(Statement delegate, String sql, FaultyConnection connection) {
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
			int errorCode = this.connection.faults.statementErrorCode;
			if (this.connection.faults.statementFaultFires(this.sql)) {
				return Mono.error(() -> (errorCode != 0)
						? new R2dbcTransientResourceException("injected deadlock: " + this.sql, "40001", errorCode)
						: new R2dbcNonTransientResourceException(
								"injected fault: statement failed before reaching the database: " + this.sql));
			}
			this.connection.executing(this.sql);
			return this.delegate.execute();
		}

		@Override
		public Statement unwrap() {
			return this.delegate;
		}

		@Override
		public String toString() {
			return "FaultyStatement[" + this.sql + "]";
		}

	}

}
