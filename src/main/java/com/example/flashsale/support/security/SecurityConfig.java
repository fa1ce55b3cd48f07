package com.example.flashsale.support.security;

import java.time.Duration;
import java.util.Arrays;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemWriter;

/**
 * Stateless JWT bearer authentication (docs/api.md "Authentication"): tokens of the configured identity
 * provider, or HS256 with {@code app.security.jwt.secret} ({@link TokenDecoders} says which when);
 * {@code exp} required, a positive numeric user id, an {@code ADMIN} role grants {@code /api/admin/**}
 * ({@link TokenAuthentication}). Failures are problem details: 401 {@code UNAUTHORIZED}, 403
 * {@code FORBIDDEN}. Health probes, the API document, Swagger UI and the index page need no token; the
 * local-profile token endpoint neither.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(OAuth2ResourceServerProperties.class)
class SecurityConfig {

	/** What anyone may read without a token: the index page, the OpenAPI document and Swagger UI. */
	static final String[] PUBLIC_DOCUMENTATION = { "/", "/index.html", "/v3/api-docs", "/v3/api-docs/**",
			"/swagger-ui.html", "/swagger-ui/**", "/webjars/swagger-ui/**" };

	/** Longest wait for the identity provider's keys or discovery document (connect, then answer). */
	static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(5);

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder,
			JwtProperties properties, ProblemWriter problems, Environment environment, StreamTokens streamTokens) {
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
			// no anonymous authentication: a request without a token has no principal at all (the rules below
			// and the entry point treat both alike), and one filter fewer runs per request
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			// the API's rules first: they are tried in order for every request, and each is a chain of matchers
			// (the /api, /actuator and documentation paths do not overlap)
			.authorizeExchange((exchanges) -> {
				exchanges.pathMatchers("/api/admin/**").hasRole("ADMIN");
				if (local) {
					exchanges.pathMatchers(HttpMethod.POST, DevTokenRouter.PATH).permitAll();
				}
				exchanges.pathMatchers("/api/**").authenticated();
				// probes, and the Prometheus scrape: operational figures, no user data (docs/operations.md "Metrics")
				exchanges.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
					.pathMatchers("/actuator/**").hasRole("ADMIN")
					.pathMatchers(HttpMethod.GET, PUBLIC_DOCUMENTATION).permitAll()
					.anyExchange().permitAll();
			})
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder).jwtAuthenticationConverter(new TokenAuthentication(properties)))
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
	 * A request Spring Security's firewall refuses (a path that is not canonical: encoded {@code /}, {@code .},
	 * {@code %} or a backslash, {@code ;}, NUL, {@code //}, {@code /./}, {@code /../}; a header or host it
	 * does not accept) is a 400 {@code INVALID_REQUEST} problem, not the firewall's empty 400 (docs/api.md
	 * "Strict input").
	 */
	@Bean
	ServerExchangeRejectedHandler problemForRejectedExchange(ProblemWriter problems) {
		return (exchange, ex) -> problems.write(exchange, ErrorCode.INVALID_REQUEST,
				"The request is not in canonical form: " + ex.getMessage());
	}

	/**
	 * Spring Security's strict firewall, its rules unchanged (a non-canonical path, a method it does not know,
	 * a header or parameter name or a header value with a control or unassigned character is refused), with
	 * the character rules as a loop ({@link FirewallCharacters}) instead of a regular expression per header read.
	 */
	@Bean
	ServerWebExchangeFirewall firewall() {
		StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
		firewall.setAllowedHeaderNames(FirewallCharacters::name);
		firewall.setAllowedHeaderValues(FirewallCharacters::value);
		firewall.setAllowedParameterNames(FirewallCharacters::name);
		return firewall;
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

	/**
	 * The token decoder ({@link TokenDecoders}); the identity provider's keys are fetched with a
	 * non-blocking {@code WebClient} bounded by {@link #PROVIDER_TIMEOUT}.
	 */
	@Bean
	ReactiveJwtDecoder jwtDecoder(JwtProperties properties, OAuth2ResourceServerProperties resourceServer,
			Environment environment, WebClient.Builder webClients) {
		HttpClient http = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) PROVIDER_TIMEOUT.toMillis())
			.responseTimeout(PROVIDER_TIMEOUT);
		WebClient webClient = webClients.clientConnector(new ReactorClientHttpConnector(http)).build();
		return TokenDecoders.create(properties, resourceServer.getJwt(), environment.acceptsProfiles(Profiles.of("local")),
				webClient);
	}

	@Bean
	JwtSecretGuard jwtSecretGuard(JwtProperties properties, Environment environment) {
		return new JwtSecretGuard(properties, environment);
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
