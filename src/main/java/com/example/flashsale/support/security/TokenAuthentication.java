package com.example.flashsale.support.security;

import java.util.Collection;

import reactor.core.publisher.Mono;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a decoded token into the caller (docs/api.md "Authentication"): the name is the user id of
 * {@code app.security.jwt.user-id-claim} (validated by {@link TokenDecoders}), each role of
 * {@code app.security.jwt.roles-claim} becomes the authority {@code ROLE_<name>}, so {@code ADMIN} grants
 * {@code /api/admin/**}.
 */
final class TokenAuthentication implements Converter<Jwt, Mono<AbstractAuthenticationToken>> {

	private final RolesClaim roles;

	private final String userIdClaim;

	TokenAuthentication(JwtProperties properties) {
		this.roles = new RolesClaim(properties.rolesClaim());
		this.userIdClaim = properties.userIdClaim();
	}

	@Override
	public Mono<AbstractAuthenticationToken> convert(Jwt jwt) {
		return Mono.just(new JwtAuthenticationToken(jwt, authorities(jwt), TokenDecoders.userId(jwt, this.userIdClaim)));
	}

	/** The authorities the token grants: {@code ROLE_} and each role name. */
	Collection<GrantedAuthority> authorities(Jwt jwt) {
		return this.roles.roles(jwt.getClaims())
			.stream()
			.<GrantedAuthority>map((name) -> new SimpleGrantedAuthority("ROLE_" + name))
			.toList();
	}

}
