package com.example.flashsale.support.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * Cross-origin access to the API for browsers on other origins (docs/api.md "Authentication"), through
 * Spring's CORS support: the origins of {@code app.cors.allowed-origins} (patterns such as
 * {@code http://localhost:[*]} allowed) may call {@code /api/**} with the bearer header, the
 * {@code Idempotency-Key} and {@code Last-Event-ID}, and read {@code Retry-After}, {@code Location} and the
 * rate-limit headers. None by default: a preflight from any origin is refused (403).
 */
@Configuration(proxyBeanMethods = false)
class CorsConfig {

	/**
	 * {@code app.cors.*}.
	 * @param allowedOrigins origins or origin patterns allowed to call the API
	 * @param maxAge how long a browser may cache a preflight's answer
	 */
	@ConfigurationProperties("app.cors")
	record Settings(@DefaultValue List<String> allowedOrigins, @DefaultValue("1h") Duration maxAge) {
	}

	@Bean
	CorsConfigurationSource corsConfigurationSource(Settings settings) {
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (settings.allowedOrigins().isEmpty()) {
			return source;
		}
		CorsConfiguration api = new CorsConfiguration();
		api.setAllowedOriginPatterns(settings.allowedOrigins());
		api.setAllowedMethods(List.of("GET", "POST", "PATCH", "DELETE"));
		api.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID", "Admission-Token"));
		api.setExposedHeaders(List.of("Retry-After", "Location", "RateLimit", "RateLimit-Policy"));
		api.setAllowCredentials(false);
		api.setMaxAge(settings.maxAge());
		source.registerCorsConfiguration("/api/**", api);
		return source;
	}

}
