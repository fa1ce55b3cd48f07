package com.example.flashsale.support.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Group commit, keeping one database commit per request off a crowd's path: callers {@link #submit} items;
 * up to {@code lanes} workers each take everything waiting (at most {@code maxBatch} items), write it with
 * one call of {@code write}, complete its waiters, then take the next batch. Under a crowd a batch holds
 * what arrived during the previous write; alone, an item is written at once, with no timer to wait for.
 * Lock-free (a concurrent queue and an atomic lane count), safe on the event loop. An item is written even
 * if its caller cancels. Used by the coupon issue writer and the order refusals (docs/flows.md).
 *
 * @param <T> what is written
 * @param <R> what each caller gets back
 */
public final class GroupCommit<T, R> {

	private final int lanes;

	private final int maxBatch;

	private final Function<List<T>, Mono<?>> write;

	private final BiConsumer<List<Waiter<T, R>>, Object> complete;

	private final BiConsumer<List<Waiter<T, R>>, Throwable> fail;

	private final Queue<Waiter<T, R>> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger activeLanes = new AtomicInteger();

	/**
	 * @param lanes how many batches may be written at the same time
	 * @param maxBatch the most items in one batch
	 * @param write writes one batch and emits one value, handed to {@code complete}
	 * @param complete completes every waiter of a written batch, given the value {@code write} emitted
	 * @param fail completes every waiter of a batch whose write failed, given the error
	 */
	@SuppressWarnings("unchecked")
	public <C> GroupCommit(int lanes, int maxBatch, Function<List<T>, Mono<C>> write,
			BiConsumer<List<Waiter<T, R>>, C> complete, BiConsumer<List<Waiter<T, R>>, Throwable> fail) {
		this.lanes = lanes;
		this.maxBatch = maxBatch;
		this.write = write::apply;
		this.complete = (batch, value) -> complete.accept(batch, (C) value);
		this.fail = fail;
	}

	/**
	 * Queues {@code item} for the next batch.
	 * @return what {@code complete} (or {@code fail}) gave this item's waiter
	 */
	public Mono<R> submit(T item) {
		return Mono.create((sink) -> {
			this.queue.add(new Waiter<>(item, sink));
			drain();
		});
	}

	private void drain() {
		while (!this.queue.isEmpty()) {
			int active = this.activeLanes.get();
			if (active >= this.lanes) {
				return;
			}
			if (this.activeLanes.compareAndSet(active, active + 1)) {
				runLane();
			}
		}
	}

	private void runLane() {
		List<Waiter<T, R>> batch = new ArrayList<>();
		Waiter<T, R> waiter;
		while (batch.size() < this.maxBatch && (waiter = this.queue.poll()) != null) {
			batch.add(waiter);
		}
		if (batch.isEmpty()) {
			this.activeLanes.decrementAndGet();
			// re-check: an item queued between the poll and the decrement must not wait for the next arrival
			drain();
			return;
		}
		this.write.apply(batch.stream().map(Waiter::item).toList())
			.subscribe((value) -> this.complete.accept(batch, value), (error) -> {
				this.fail.accept(batch, error);
				runLane();
			}, this::runLane);
	}

	/**
	 * One caller waiting for its item's batch.
	 * @param item what it submitted
	 * @param sink where its answer goes
	 */
	public record Waiter<T, R>(T item, MonoSink<R> sink) {
	}

}
