package com.example.flashsale.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.outbox.OutboxRepository.OutboxEvent;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;
import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The operators' view of the outbox (ADMIN role, see SecurityConfig):
 * <ul>
 * <li>{@code GET /api/admin/outbox/events?status=FAILED&cursor&size}: events of one status (PENDING, SENT,
 * FAILED; FAILED by default), newest first, keyset on id, {@code size} 1..100 (default 20), with
 * {@code counts} of every status; 400 INVALID_REQUEST for another status;</li>
 * <li>{@code POST /api/admin/outbox/events/{id}/retry}: a FAILED event back in the queue with its
 * attempts reset (200 {@code {id, status:"PENDING"}}); 404 OUTBOX_EVENT_NOT_FOUND when there is no FAILED
 * event with that id.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class OutboxRouter {

	private static final Set<String> STATUSES = Set.of("PENDING", "SENT", "FAILED");

	/**
	 * A page of outbox events.
	 * @param nextCursor the {@code cursor} of the next page, null on the last one
	 * @param counts how many events have each status
	 */
	record EventPage(String status, List<OutboxEvent> events, Long nextCursor, Map<String, Long> counts) {
	}

	/** The response of a retry. */
	record Requeued(long id, String status) {
	}

	@Bean
	RouterFunction<ServerResponse> outboxRoutes(OutboxRepository repository, Requests requests, Clock clock) {
		return route().path("/api/admin/outbox/events", (events) -> events
			.GET("", (request) -> {
				String status = request.queryParam("status").orElse("FAILED");
				if (!STATUSES.contains(status)) {
					throw ProblemException.invalid("status must be PENDING, SENT or FAILED, got " + status + ".");
				}
				long cursor = requests.positiveQueryParam(request, "cursor").orElse(Long.MAX_VALUE);
				long size = requests.positiveQueryParam(request, "size").orElse(20L);
				if (size > 100) {
					throw ProblemException.invalid("size must be 1 to 100, got " + size + ".");
				}
				return repository.findByStatus(status, cursor, (int) size)
					.collectList()
					.zipWith(repository.countByStatus())
					.flatMap((page) -> ServerResponse.ok().bodyValue(new EventPage(status, page.getT1(),
							(page.getT1().size() == size) ? page.getT1().get(page.getT1().size() - 1).id() : null,
							page.getT2())));
			})
			.POST("/{id}/retry", (request) -> {
				long id = requests.pathId(request, "id");
				return repository.requeue(id, clock.instant())
					.flatMap((requeued) -> requeued ? ServerResponse.ok().bodyValue(new Requeued(id, "PENDING"))
							: Mono.error(new ProblemException(ErrorCode.OUTBOX_EVENT_NOT_FOUND,
									"There is no FAILED outbox event " + id + ".")));
			}))
			.build();
	}

}
