package com.example.flashsale.order;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

import com.example.flashsale.order.OrderRepository.StatusRow;
import com.example.flashsale.order.OrderStatusEvents.StatusEvent;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * {@code GET /api/orders/{orderId}/events} (docs/api.md "Order status stream", docs/flows.md "Order status stream"):
 * server-sent events of one order's status.
 * <ul>
 * <li>First the current status (the last order status of the log, and any informative event after it),
 * or, with {@code Last-Event-ID}, every logged event after that id; then each change as it happens, from
 * whichever instance made it ({@link OrderStatusEvents}).</li>
 * <li>An {@code :open} comment at once, so the headers are sent before any backend is read.</li>
 * <li>Each event: {@code id:} the log entry id, {@code event: order-status}, {@code data:
 * {orderId,status,at}}. A heartbeat comment every {@code app.orders.stream.heartbeat} (15 s), which also
 * rereads the status from MySQL, so a lost pub/sub message or log (Redis restarted) is made good.</li>
 * <li>Completes after a final status: at once for FAILED and CANCELED; for PAID after the data-platform
 * delivery event, or {@code delivery-wait} (5 s) after PAID if none comes.</li>
 * </ul>
 * An open stream holds a map entry, a buffer and a timer: no thread and no Redis connection of its own.
 */
@Component
class OrderStatusStream {

	/** The SSE event name of every status event. */
	static final String EVENT = "order-status";

	private static final Pattern EVENT_ID = Pattern.compile("\\d{1,19}-\\d{1,19}");

	private static final Object HEARTBEAT = new Object();

	/** The comment every stream starts with. */
	static final String OPENED = "open";

	private final OrderStatusEvents events;

	private final OrderRepository orders;

	private final OrderProperties.Stream properties;

	private final OrderMetrics metrics;

	private final Clock clock;

	OrderStatusStream(OrderStatusEvents events, OrderRepository orders, OrderProperties properties,
			OrderMetrics metrics, Clock clock) {
		this.events = events;
		this.orders = orders;
		this.properties = properties.stream();
		this.metrics = metrics;
		this.clock = clock;
	}

	/** The {@code data} of a status event. */
	record StatusData(long orderId, OrderProgress status, Instant at) {
	}

	/** What a request for the stream gets: the events, or nothing more to say (a 204). */
	sealed interface Opening {

		/** The events to send. */
		record Events(Flux<ServerSentEvent<StatusData>> events) implements Opening {
		}

		/**
		 * A reconnect to a finished order that already has every event: answered 204, which tells a
		 * browser's EventSource to stop reconnecting.
		 */
		record NothingMore() implements Opening {
		}

	}

	/**
	 * The event stream of {@code orderId} for its owner.
	 * @param lastEventId the {@code Last-Event-ID} header of a reconnecting client, or null; an id this
	 * service never gave, or one ahead of the order's log, is ignored (the client gets the current status)
	 * @return the stream, or {@link Opening.NothingMore} when a reconnect finds the order final and nothing
	 * after {@code lastEventId} (and, for a PAID order, its delivery event sent or its wait over); 404
	 * ORDER_NOT_FOUND when the order does not exist or is another user's
	 */
	Mono<Opening> open(long orderId, long userId, String lastEventId) {
		String after = (lastEventId != null && EVENT_ID.matcher(lastEventId.trim()).matches()) ? lastEventId.trim() : null;
		return this.orders.statusFor(orderId, userId)
			.switchIfEmpty(Mono.error(() -> new ProblemException(ErrorCode.ORDER_NOT_FOUND,
					"Order " + orderId + " does not exist.")))
			.flatMap((current) -> {
				Opening.Events events = new Opening.Events(stream(orderId, userId, current, after));
				if (after == null || !current.status().isFinal()) {
					return Mono.just(events);
				}
				return this.events.history(orderId)
					.collectList()
					.map((log) -> finishedFor(current, log, after) ? new Opening.NothingMore() : events);
			});
	}

	/** Whether a client that saw {@code after} has every event of the final order {@code current}. */
	private boolean finishedFor(StatusRow current, List<StatusEvent> log, String after) {
		boolean nothingNew = log.stream().noneMatch((event) -> Progress.compare(event.id(), after) > 0);
		boolean deliveryOver = current.status() != OrderStatus.PAID
				|| log.stream().anyMatch((event) -> !event.status().isOrderStatus())
				|| current.updatedAt().plus(this.properties.deliveryWait()).isBefore(this.clock.instant());
		return nothingNew && deliveryOver;
	}

	private Flux<ServerSentEvent<StatusData>> stream(long orderId, long userId, StatusRow current, String after) {
		return Flux.defer(() -> {
			Sinks.Many<StatusEvent> live = Sinks.many().unicast().onBackpressureBuffer();
			// watch before reading the log: a change made in between arrives live (and twice is harmless)
			Runnable unwatch = this.events.watch(orderId, live);
			Runnable closed = this.metrics.streamOpened();
			Progress progress = new Progress(after);
			Flux<StatusEvent> opening = this.events.history(orderId)
				.collectList()
				.flatMapMany((log) -> repaired(orderId, current, log))
				.flatMapIterable((log) -> progress.opening(log));
			Flux<Object> heartbeats = Flux.interval(this.properties.heartbeat(), this.properties.heartbeat())
				.onBackpressureDrop()
				.concatMap((tick) -> recheck(orderId, userId, progress).cast(Object.class)
					.onErrorResume((ex) -> Flux.empty())
					.concatWith(Mono.just(HEARTBEAT)));
			Mono<Long> deliveryWait = progress.paid.asMono().then(Mono.delay(this.properties.deliveryWait()));
			return Flux.merge(Flux.concat(opening, live.asFlux()), heartbeats)
				.<ServerSentEvent<StatusData>>handle((item, sink) -> {
					if (item == HEARTBEAT) {
						sink.next(ServerSentEvent.<StatusData>builder().comment("heartbeat").build());
					}
					else if (progress.advance((StatusEvent) item)) {
						StatusEvent event = (StatusEvent) item;
						sink.next(ServerSentEvent.builder(new StatusData(orderId, event.status(), event.at()))
							// the first event tells the browser how long to wait before reconnecting
							.retry(progress.firstEvent() ? this.properties.retry() : null)
							.id(event.id())
							.event(EVENT)
							.build());
						if (progress.finished()) {
							sink.complete();
						}
					}
				})
				// sent at once, so the response's headers and first bytes reach the client before any Redis or
				// MySQL read of the opening (a slow backend must not look like a dead stream)
				.startWith(ServerSentEvent.<StatusData>builder().comment(OPENED).build())
				.takeUntilOther(deliveryWait)
				.doFinally((signal) -> {
					unwatch.run();
					closed.run();
				});
		});
	}

	/**
	 * The log, made good if it lags MySQL (never written, lost, or older than 24 h): the database's status
	 * is logged (and published) first. A repair the log refuses means a final status is already logged.
	 */
	private Mono<List<StatusEvent>> repaired(long orderId, StatusRow current, List<StatusEvent> log) {
		if (rank(lastOrderStatus(log)) >= OrderProgress.of(current.status()).rank()) {
			return Mono.just(log);
		}
		return this.events.publish(orderId, OrderProgress.of(current.status()), current.updatedAt())
			.then(this.events.history(orderId).collectList())
			.defaultIfEmpty(log);
	}

	/**
	 * On a heartbeat: if MySQL is ahead of what the stream sent, log that status and send what was missed.
	 * A stream that already sent a final status (PAID, waiting for the delivery event) reads nothing.
	 */
	private Flux<StatusEvent> recheck(long orderId, long userId, Progress progress) {
		if (rank(progress.lastStatus) >= 1) {
			return Flux.empty();
		}
		return this.orders.statusFor(orderId, userId)
			.filter((row) -> OrderProgress.of(row.status()).rank() > rank(progress.lastStatus))
			.flatMapMany((row) -> this.events.publish(orderId, OrderProgress.of(row.status()), row.updatedAt())
				.thenMany(this.events.history(orderId)));
	}

	private static OrderProgress lastOrderStatus(List<StatusEvent> log) {
		for (int i = log.size() - 1; i >= 0; i--) {
			if (log.get(i).status().isOrderStatus()) {
				return log.get(i).status();
			}
		}
		return null;
	}

	private static int rank(OrderProgress status) {
		return (status != null) ? status.rank() : -1;
	}

	/** What one stream has sent; used from its one serialized pipeline. */
	private static final class Progress {

		final Sinks.One<Void> paid = Sinks.one();

		/** Written by the opening, then by the serialized pipeline; volatile for the heartbeat's thread. */
		volatile String lastId;

		OrderProgress lastStatus;

		boolean delivered;

		private boolean sentAny;

		Progress(String after) {
			this.lastId = after;
		}

		/**
		 * The log entries to send first: those after Last-Event-ID, else from the last order status on. A
		 * Last-Event-ID ahead of the whole log (not an id of this log: forged, or from a log lost since) is
		 * ignored like an unknown one, so the stream sends the current status and ends after a final one
		 * instead of waiting for ids the log will not reach.
		 */
		List<StatusEvent> opening(List<StatusEvent> log) {
			if (this.lastId != null && (log.isEmpty() || compare(this.lastId, log.get(log.size() - 1).id()) > 0)) {
				this.lastId = null;
			}
			if (this.lastId != null) {
				return log;
			}
			for (int i = log.size() - 1; i >= 0; i--) {
				if (log.get(i).status().isOrderStatus()) {
					return log.subList(i, log.size());
				}
			}
			return log;
		}

		/**
		 * Whether {@code event} is new to this stream; if so it counts as sent. An event at or before
		 * Last-Event-ID is not sent again, but the client has seen it: it still moves the stream's state, so a
		 * reconnect after PAID waits for the delivery event (or its wait) and ends like the first stream would.
		 */
		boolean advance(StatusEvent event) {
			boolean fresh = this.lastId == null || compare(event.id(), this.lastId) > 0;
			if (fresh) {
				this.lastId = event.id();
			}
			if (event.status().isOrderStatus()) {
				this.lastStatus = event.status();
				if (event.status() == OrderProgress.PAID) {
					this.paid.tryEmitEmpty();
				}
			}
			else {
				this.delivered = true;
			}
			return fresh;
		}

		/** True the first time only: whether the event about to be sent is the stream's first. */
		boolean firstEvent() {
			boolean first = !this.sentAny;
			this.sentAny = true;
			return first;
		}

		/** FAILED or CANCELED sent, or PAID and its delivery event. */
		boolean finished() {
			return this.lastStatus == OrderProgress.FAILED || this.lastStatus == OrderProgress.CANCELED
					|| (this.lastStatus == OrderProgress.PAID && this.delivered);
		}

		static int compare(String a, String b) {
			int dashA = a.indexOf('-');
			int dashB = b.indexOf('-');
			int byTime = Long.compareUnsigned(Long.parseUnsignedLong(a, 0, dashA, 10), Long.parseUnsignedLong(b, 0, dashB, 10));
			return (byTime != 0) ? byTime : Long.compareUnsigned(Long.parseUnsignedLong(a, dashA + 1, a.length(), 10),
					Long.parseUnsignedLong(b, dashB + 1, b.length(), 10));
		}

	}

}
