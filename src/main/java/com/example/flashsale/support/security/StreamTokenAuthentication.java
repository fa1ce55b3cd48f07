package com.example.flashsale.support.security;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;

/**
 * Authenticates the server-sent event streams that accept a {@code ?streamToken=} ({@link StreamTokens};
 * docs/api.md "Authentication"): {@code GET /api/orders/{orderId}/events} (resource {@code order:<id>}),
 * {@code GET /api/waiting-room/{roomId}/tickets/{ticketId}/events} (resource {@code room-ticket:<room>:<ticket>})
 * and {@code GET /api/admin/live} (resource {@code admin-live}). The token must be for the very resource
 * requested; the caller then counts as the token's user, with its roles, exactly as with the bearer JWT.
 * A forged, expired or foreign token is a 401 problem. Other routes never read the parameter.
 */
final class StreamTokenAuthentication {

	private static final Pattern ORDER_EVENTS = Pattern.compile("/api/orders/(\\d{1,19})/events");

	private static final Pattern TICKET_EVENTS = Pattern.compile("/api/waiting-room/(\\d{1,19})/tickets/(\\d{1,19})/events");

	private StreamTokenAuthentication() {
	}

	/** The resource a stream path serves; null for any other path. */
	static String resourceOf(String path) {
		Matcher order = ORDER_EVENTS.matcher(path);
		if (order.matches()) {
			return StreamTokens.orderResource(Long.parseLong(order.group(1)));
		}
		Matcher ticket = TICKET_EVENTS.matcher(path);
		if (ticket.matches()) {
			return StreamTokens.ticketResource(Long.parseLong(ticket.group(1)), Long.parseLong(ticket.group(2)));
		}
		return "/api/admin/live".equals(path) ? StreamTokens.ADMIN_LIVE : null;
	}

	/** The filter, to run beside the bearer-token one; failures answer through {@code entryPoint}. */
	static AuthenticationWebFilter filter(StreamTokens tokens, ServerAuthenticationEntryPoint entryPoint) {
		ReactiveAuthenticationManager manager = (authentication) -> authenticate(tokens, (Pending) authentication);
		AuthenticationWebFilter filter = new AuthenticationWebFilter(manager);
		filter.setRequiresAuthenticationMatcher(StreamTokenAuthentication::matches);
		filter.setServerAuthenticationConverter(StreamTokenAuthentication::convert);
		filter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(entryPoint));
		return filter;
	}

	private static Mono<ServerWebExchangeMatcher.MatchResult> matches(ServerWebExchange exchange) {
		boolean stream = exchange.getRequest().getMethod() == HttpMethod.GET
				&& exchange.getRequest().getQueryParams().containsKey(StreamTokens.PARAMETER)
				&& resourceOf(exchange.getRequest().getPath().pathWithinApplication().value()) != null;
		return stream ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
	}

	private static Mono<Authentication> convert(ServerWebExchange exchange) {
		String token = exchange.getRequest().getQueryParams().getFirst(StreamTokens.PARAMETER);
		String resource = resourceOf(exchange.getRequest().getPath().pathWithinApplication().value());
		return Mono.just(new Pending((token != null) ? token : "", resource));
	}

	private static Mono<Authentication> authenticate(StreamTokens tokens,
			Pending pending) {
		return tokens.verify(pending.token, pending.resource)
			.<Authentication>map(
					(jwt) -> new JwtAuthenticationToken(jwt, authorities(jwt), jwt.getSubject()))
			.onErrorMap((ex) -> new BadCredentialsException("Invalid stream token", ex));
	}

	private static Collection<GrantedAuthority> authorities(Jwt jwt) {
		List<String> roles = jwt.getClaimAsStringList(StreamTokens.ROLES_CLAIM);
		return (roles != null) ? roles.stream().<GrantedAuthority>map((role) -> new SimpleGrantedAuthority("ROLE_" + role)).toList()
				: List.of();
	}

	/** A stream token not verified yet, for {@code resource}. */
	private static final class Pending extends AbstractAuthenticationToken {

		private final String token;

		private final String resource;

		Pending(String token, String resource) {
			super(List.of());
			this.token = token;
			this.resource = resource;
		}

		@Override
		public Object getCredentials() {
			return this.token;
		}

		@Override
		public Object getPrincipal() {
			return this.resource;
		}

	}

}
