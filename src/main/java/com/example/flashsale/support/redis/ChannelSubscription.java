package com.example.flashsale.support.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.StringRedisSerializer;

/**
 * One instance's subscription to a Redis pub/sub channel (docs/redis.md, its channels), for a
 * {@code SmartLifecycle} bean to start and stop. Restartable: each {@link #start} makes a new listener
 * container (a stopped one cannot be used again) and subscribes. A subscription that ends or fails is made
 * again with backoff (200 ms, doubling to 5 s); its loss is logged once, on the owner's logger, until a
 * subscription is confirmed again. Messages are handed over as text.
 */
public final class ChannelSubscription {

	private static final SerializationPair<String> TEXT = SerializationPair.fromSerializer(StringRedisSerializer.UTF_8);

	private final ReactiveRedisConnectionFactory connections;

	private final ChannelTopic topic;

	private final Log logger;

	private volatile ReactiveRedisMessageListenerContainer container;

	private volatile Disposable subscription;

	/**
	 * A subscription to {@code channel}, not started.
	 * @param logger the owner's logger: the loss of the subscription and a message {@code onMessage} threw on
	 * are logged there
	 */
	public ChannelSubscription(ReactiveRedisConnectionFactory connections, String channel, Log logger) {
		this.connections = connections;
		this.topic = ChannelTopic.of(channel);
		this.logger = logger;
	}

	/**
	 * Subscribes. {@code onSubscribed} runs each time Redis confirmed a subscription (the first, and each one
	 * after a loss), before any of its messages; {@code onMessage} gets each message's text (a
	 * {@link RuntimeException} it throws is logged, the subscription goes on). With a positive
	 * {@code waitFirst} the caller (a startup, off the event loop) waits up to that long for the first
	 * confirmation, so that nothing published after this returns is missed; Redis unreachable, it goes on
	 * and the subscription follows when Redis is back.
	 */
	public void start(Runnable onSubscribed, Consumer<String> onMessage, Duration waitFirst) {
		ReactiveRedisMessageListenerContainer started = new ReactiveRedisMessageListenerContainer(this.connections);
		this.container = started;
		Sinks.Empty<Void> confirmed = Sinks.empty();
		AtomicBoolean lossLogged = new AtomicBoolean();
		this.subscription = Mono.defer(() -> started.receiveLater(List.of(this.topic), TEXT, TEXT))
			.flatMapMany((messages) -> {
				lossLogged.set(false);
				onSubscribed.run();
				confirmed.tryEmitEmpty();
				return messages;
			})
			.concatWith(Flux.error(() -> new IllegalStateException("the subscription ended")))
			.doOnError((ex) -> {
				if (!lossLogged.getAndSet(true)) {
					this.logger.warn("Subscription to " + this.topic.getTopic() + " lost; resubscribing: " + ex);
				}
			})
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
			.subscribe((message) -> {
				try {
					onMessage.accept(message.getMessage());
				}
				catch (RuntimeException ex) {
					this.logger.warn("Could not handle message " + message.getMessage() + " of " + this.topic.getTopic()
							+ ": " + ex);
				}
			});
		if (!waitFirst.isZero() && !waitFirst.isNegative()) {
			try {
				confirmed.asMono().block(waitFirst);
			}
			catch (RuntimeException ex) {
				// not confirmed in time: start anyway, the subscription follows
			}
		}
	}

	/** Ends the subscription and lets go of its container. */
	public void stop() {
		Disposable current = this.subscription;
		if (current != null) {
			current.dispose();
		}
		ReactiveRedisMessageListenerContainer stopped = this.container;
		if (stopped != null) {
			stopped.destroyLater().subscribe(null, (ex) -> { });
		}
	}

	/** Whether it was started and not stopped since. */
	public boolean isRunning() {
		Disposable current = this.subscription;
		return current != null && !current.isDisposed();
	}

}
