package com.example.flashsale.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.outbox.OutboxRepository.OutboxEvent;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.web.KeysetPage;
import com.example.flashsale.support.web.Requests;

/**
 * HTTP mapping of the operators' view of the outbox (docs/api.md "Outbox (admin)"):
 * <ul>
 * <li>{@code GET /api/admin/outbox/events?status=FAILED&cursor&size}: events of one status (PENDING, SENT,
 * FAILED; FAILED by default), newest first, keyset on id, {@code size} 1..100 (default 20), with
 * {@code counts} of every status; 400 INVALID_REQUEST for another status;</li>
 * <li>{@code POST /api/admin/outbox/events/{id}/retry}: a FAILED event back in the queue with its
 * attempts reset (200 {@code {id, status:"PENDING"}}); 404 OUTBOX_EVENT_NOT_FOUND when there is no FAILED
 * event with that id.</li>
 * </ul>
 */
@Component
class OutboxHandler {

	static final int DEFAULT_PAGE_SIZE = 20;

	static final int MAX_PAGE_SIZE = 100;

	private final OutboxRepository repository;

	private final Requests requests;

	private final Clock clock;

	OutboxHandler(OutboxRepository repository, Requests requests, Clock clock) {
		this.repository = repository;
		this.requests = requests;
		this.clock = clock;
	}

	/**
	 * A page of outbox events.
	 * @param nextCursor the {@code cursor} of the next page, null on the last one
	 * @param counts how many events have each status
	 */
	record EventPage(OutboxStatus status, List<OutboxEvent> events, @Schema(nullable = true) Long nextCursor, Map<String, Long> counts) {
	}

	/** The response of a retry. */
	record Requeued(long id, OutboxStatus status) {
	}

	/** {@code GET /api/admin/outbox/events}. */
	Mono<ServerResponse> list(ServerRequest request) {
		return status(request).zipWith(this.requests.page(request, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))
			.flatMap((args) -> this.repository.findByStatus(args.getT1(), args.getT2().before(), args.getT2().fetchSize())
				.collectList()
				.map((rows) -> KeysetPage.of(rows, args.getT2(), OutboxEvent::id))
				.zipWith(this.repository.countByStatus(),
						(page, counts) -> new EventPage(args.getT1(), page.items(), page.nextCursor(), counts)))
			.flatMap((page) -> ServerResponse.ok().bodyValue(page));
	}

	/** {@code POST /api/admin/outbox/events/{id}/retry}. */
	Mono<ServerResponse> retry(ServerRequest request) {
		return this.requests.pathId(request, "id")
			.flatMap((id) -> this.repository.requeue(id, this.clock.instant())
				.flatMap((requeued) -> requeued ? ServerResponse.ok().bodyValue(new Requeued(id, OutboxStatus.PENDING))
						: Mono.error(new ProblemException(ErrorCode.OUTBOX_EVENT_NOT_FOUND,
								"There is no FAILED outbox event " + id + "."))));
	}

	private static Mono<OutboxStatus> status(ServerRequest request) {
		String status = request.queryParam("status").orElse(OutboxStatus.FAILED.name());
		for (OutboxStatus known : OutboxStatus.values()) {
			if (known.name().equals(status)) {
				return Mono.just(known);
			}
		}
		return Mono.error(ProblemException.invalid("status must be PENDING, SENT or FAILED, got " + status + "."));
	}

}
