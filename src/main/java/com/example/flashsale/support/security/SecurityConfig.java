package com.example.flashsale.support.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * Stateless JWT bearer authentication (docs/api.md "Authentication"): HS256 with {@code app.security.jwt.secret},
 * {@code sub} = numeric user id, {@code exp} required, a {@code roles} claim containing {@code ADMIN}
 * grants {@code /api/admin/**}. Failures are problem details: 401 {@code UNAUTHORIZED}, 403
 * {@code FORBIDDEN}. Health probes need no token; the local-profile token endpoint neither.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfig {

	/** The JWT claim listing role names, e.g. {@code ["ADMIN"]}. */
	static final String ROLES_CLAIM = "roles";

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder,
			ProblemWriter problems, Environment environment, StreamTokens streamTokens) {
		boolean local = environment.acceptsProfiles(Profiles.of("local"));
		// streams also accept their own short-lived ?streamToken= (browsers' EventSource sends no header)
		http.addFilterAt(StreamTokenAuthentication.filter(streamTokens, (exchange, ex) -> problems.write(exchange,
				ErrorCode.UNAUTHORIZED, "The stream token is invalid, expired or for another stream.")),
				SecurityWebFiltersOrder.AUTHENTICATION);
		// cross-origin browsers: the origins of app.cors.allowed-origins (CorsConfig)
		http.cors(Customizer.withDefaults());
		http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.authorizeExchange((exchanges) -> {
				// probes, and the Prometheus scrape: operational figures, no user data (docs/operations.md "Metrics")
				exchanges.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll();
				if (local) {
					exchanges.pathMatchers(HttpMethod.POST, DevTokenRouter.PATH).permitAll();
				}
				exchanges.pathMatchers("/api/admin/**", "/actuator/**").hasRole("ADMIN")
					.pathMatchers("/api/**").authenticated()
					.anyExchange().permitAll();
			})
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder).jwtAuthenticationConverter(SecurityConfig::authentication))
				.authenticationEntryPoint((exchange, ex) -> problems.write(exchange, ErrorCode.UNAUTHORIZED,
						"A valid bearer token is required."))
				.accessDeniedHandler((exchange, ex) -> problems.write(exchange, ErrorCode.FORBIDDEN,
						"This resource needs the ADMIN role.")))
			.exceptionHandling((handling) -> handling
				.authenticationEntryPoint((exchange, ex) -> problems.write(exchange, ErrorCode.UNAUTHORIZED,
						"A valid bearer token is required."))
				.accessDeniedHandler((exchange, ex) -> problems.write(exchange, ErrorCode.FORBIDDEN,
						"This resource needs the ADMIN role.")));
		return http.build();
	}

	/**
	 * No Micrometer observation per security filter, authentication and authorization: measured on a
	 * 2-core box, those timers cost more CPU per request than the coupon decision itself. Request
	 * metrics stay ({@code http.server.requests}).
	 */
	@Bean
	SecurityObservationSettings noSecurityObservations() {
		return SecurityObservationSettings.noObservations();
	}

	@Bean
	ReactiveJwtDecoder jwtDecoder(JwtProperties properties) {
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withSecretKey(secretKey(properties))
			.macAlgorithm(MacAlgorithm.HS256)
			.build();
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefault(),
				new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull), SecurityConfig::numericSubject));
		return decoder;
	}

	@Bean
	JwtSecretGuard jwtSecretGuard(JwtProperties properties, Environment environment) {
		return new JwtSecretGuard(properties, environment);
	}

	static SecretKey secretKey(JwtProperties properties) {
		return new SecretKeySpec(properties.secretBytes(), "HmacSHA256");
	}

	private static OAuth2TokenValidatorResult numericSubject(Jwt jwt) {
		String subject = jwt.getSubject();
		try {
			if (subject != null && Long.parseLong(subject) > 0) {
				return OAuth2TokenValidatorResult.success();
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "sub must be a positive user id", null));
	}

	private static Mono<AbstractAuthenticationToken> authentication(Jwt jwt) {
		return Mono.just(new JwtAuthenticationToken(jwt, authorities(jwt), jwt.getSubject()));
	}

	private static Collection<GrantedAuthority> authorities(Jwt jwt) {
		Object roles = jwt.getClaims().get(ROLES_CLAIM);
		Collection<?> names;
		if (roles instanceof Collection<?> collection) {
			names = collection;
		}
		else if (roles instanceof String text) {
			names = Arrays.asList(text.split("[ ,]+"));
		}
		else {
			names = List.of();
		}
		return names.stream()
			.map(String::valueOf)
			.filter((name) -> !name.isBlank())
			.<GrantedAuthority>map((name) -> new SimpleGrantedAuthority("ROLE_" + name))
			.toList();
	}

	/** Refuses to start a non-local profile with the published development secret. */
	static final class JwtSecretGuard {

		JwtSecretGuard(JwtProperties properties, Environment environment) {
			if (JwtProperties.LOCAL_DEVELOPMENT_SECRET.equals(properties.secret())
					&& !environment.acceptsProfiles(Profiles.of("local"))) {
				throw new IllegalStateException("app.security.jwt.secret is the local development default; "
						+ "set APP_SECURITY_JWT_SECRET to a private secret for profiles " + Arrays.toString(environment.getActiveProfiles()));
			}
		}

	}

}
