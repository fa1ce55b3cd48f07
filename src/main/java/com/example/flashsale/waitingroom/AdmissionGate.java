package com.example.flashsale.waitingroom;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

/**
 * The check a protected endpoint makes while its target has an open waiting room (docs/api.md "Waiting
 * room", ADR 0025): the coupon issue and the order of a product call it before doing anything.
 * <ul>
 * <li>No open room for the target: passes at the cost of a map lookup (the open rooms are held in memory,
 * reread every second).</li>
 * <li>Otherwise the request needs the {@value #HEADER} header: without it 403 {@code ADMISSION_REQUIRED};
 * with a forged or malformed token, an expired one, one of another user or another room, or one already
 * spent by another request, 403 {@code INVALID_ADMISSION_TOKEN}.</li>
 * <li>A valid token is spent atomically in Redis, bound to the request ({@code binding}: the order's
 * Idempotency-Key, or the coupon claim). A retry of that same request with the same token passes again
 * while the token lives, so a 503 or a lost answer does not cost the user their admission; the
 * protected endpoint's own idempotency answers the retry.</li>
 * <li>Until this instance has read the open rooms once, the check reads MySQL (a failure is a 503):
 * never everyone admitted because the rooms are unknown.</li>
 * </ul>
 */
@Component
public class AdmissionGate {

	/** The request header carrying the admission token. */
	public static final String HEADER = "Admission-Token";

	/** How long a spent token's binding outlives the token, for retries that arrive just after it expired. */
	private static final Duration REMEMBER_AFTER_EXPIRY = Duration.ofMinutes(1);

	private final ActiveRooms rooms;

	private final AdmissionTokens tokens;

	private final RoomState state;

	private final Clock clock;

	AdmissionGate(ActiveRooms rooms, AdmissionTokens tokens, RoomState state, Clock clock) {
		this.rooms = rooms;
		this.tokens = tokens;
		this.state = state;
		this.clock = clock;
	}

	/**
	 * Passes (completes empty) when none of {@code targetIds} of {@code type} has an open room, or when
	 * {@code token} admits {@code userId} to that room and is spent now by the request {@code binding} (or
	 * was by this same request before). An order may hold at most one product behind a room.
	 * @param token the {@value #HEADER} header, or null
	 * @return empty; 403 ADMISSION_REQUIRED or INVALID_ADMISSION_TOKEN; 503 when the rooms or Redis cannot be read
	 */
	public Mono<Void> admit(long userId, TargetType type, Collection<Long> targetIds, String token, String binding) {
		ActiveRooms.Snapshot known = this.rooms.known();
		if (known != null) {
			if (known.byTarget().isEmpty()) {
				return Mono.empty();
			}
			return check(known, userId, type, targetIds, token, binding);
		}
		return this.rooms.current().flatMap((snapshot) -> check(snapshot, userId, type, targetIds, token, binding));
	}

	private Mono<Void> check(ActiveRooms.Snapshot snapshot, long userId, TargetType type, Collection<Long> targetIds,
			String token, String binding) {
		List<Room> protecting = new ArrayList<>(1);
		for (Long id : targetIds) {
			Room room = snapshot.byTarget().get(Room.target(type, id));
			if (room != null && !protecting.contains(room)) {
				protecting.add(room);
			}
		}
		if (protecting.isEmpty()) {
			return Mono.empty();
		}
		Room room = protecting.get(0);
		if (token == null || token.isBlank()) {
			return Mono.error(new ProblemException(ErrorCode.ADMISSION_REQUIRED, "The " + describe(room)
					+ " is behind waiting room " + room.id() + ": take a ticket and send the admission token it gives as "
					+ HEADER + ".", Map.of("roomId", room.id())));
		}
		if (protecting.size() > 1) {
			return Mono.error(new ProblemException(ErrorCode.ADMISSION_REQUIRED,
					"An order may hold at most one product behind a waiting room; order them one at a time."));
		}
		AdmissionTokens.Claims claims = this.tokens.verify(token.trim());
		if (claims == null) {
			return invalid("The admission token is malformed or its signature is wrong.");
		}
		Instant now = this.clock.instant();
		if (!claims.expiresAt().isAfter(now)) {
			return invalid("The admission token expired at " + claims.expiresAt() + "; take a new ticket.");
		}
		if (claims.userId() != userId) {
			return invalid("The admission token is another user's.");
		}
		if (claims.roomId() != room.id()) {
			return invalid("The admission token is for waiting room " + claims.roomId() + ", not " + room.id() + ".");
		}
		Duration remember = Duration.between(now, claims.expiresAt()).plus(REMEMBER_AFTER_EXPIRY);
		return this.state.consume(room.id(), claims.ticketId(), binding, remember)
			.flatMap((outcome) -> (outcome == 0) ? invalid("The admission token was already used; take a new ticket.")
					: Mono.<Void>empty());
	}

	private static String describe(Room room) {
		return ((room.targetType() == TargetType.COUPON) ? "coupon event " : "product ") + room.targetId();
	}

	private static Mono<Void> invalid(String detail) {
		return Mono.error(new ProblemException(ErrorCode.INVALID_ADMISSION_TOKEN, detail));
	}

}
