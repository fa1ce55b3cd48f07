package com.example.flashsale.waitingroom;

import java.time.Clock;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import com.example.flashsale.support.admission.PacedElsewhere;

/**
 * A protected request that already went through its waiting room is not shed (docs/api.md "Load shedding",
 * ADR 0025): a claim of a coupon event with an unexpired, correctly signed admission token of that event's
 * open room, or an order with one of an open product room (the products are in the body, which is not read
 * here). Checked from memory (the token's signature, its expiry, the open rooms); the admission gate still
 * checks the user, the room of each product and the single use after authentication, so a forged, expired
 * or foreign token gains nothing but a later 403.
 */
@Component
class AdmittedRequests implements PacedElsewhere {

	private static final PathPattern ISSUE = PathPatternParser.defaultInstance.parse("/api/coupons/{couponId}/issue");

	private static final PathPattern ORDERS = PathPatternParser.defaultInstance.parse("/api/orders");

	private final ActiveRooms rooms;

	private final AdmissionTokens tokens;

	private final Clock clock;

	AdmittedRequests(ActiveRooms rooms, AdmissionTokens tokens, Clock clock) {
		this.rooms = rooms;
		this.tokens = tokens;
		this.clock = clock;
	}

	@Override
	public boolean paced(ServerHttpRequest request) {
		String token = request.getHeaders().getFirst(AdmissionGate.HEADER);
		ActiveRooms.Snapshot known = this.rooms.known();
		if (token == null || known == null || known.byId().isEmpty() || !HttpMethod.POST.equals(request.getMethod())) {
			return false;
		}
		AdmissionTokens.Claims claims = this.tokens.verify(token.trim());
		if (claims == null || !claims.expiresAt().isAfter(this.clock.instant())) {
			return false;
		}
		Room room = known.byId().get(claims.roomId());
		if (room == null) {
			return false;
		}
		PathContainer path = request.getPath().pathWithinApplication();
		if (room.targetType() == TargetType.PRODUCT) {
			return ORDERS.matches(path);
		}
		PathPattern.PathMatchInfo claim = ISSUE.matchAndExtract(path);
		return claim != null && Long.toString(room.targetId()).equals(claim.getUriVariables().get("couponId"));
	}

}
