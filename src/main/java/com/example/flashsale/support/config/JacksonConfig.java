package com.example.flashsale.support.config;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.web.reactive.config.WebFluxConfigurer;

import com.example.flashsale.support.web.RequestLimitsProperties;

/**
 * One canonical JSON form per value (docs/api.md "Strict input"); anything else is a 400
 * INVALID_REQUEST, never silently converted.
 * <ul>
 * <li>Every mapper: no coercion between JSON types (text from a number, boolean or object; an integer from
 * a fraction or a string, {@code spring.jackson.mapper.allow-coercion-of-scalars=false}), no null for a
 * primitive, enums by exact name only, instants as ISO-8601 strings only ({@link StrictJson#values()}).
 * The service writes only these forms, so what it reads back (cache entries) passes.</li>
 * <li>Request bodies, on top: no unknown member, no member twice, text without control characters or
 * unpaired surrogates ({@link StrictJson#plainText()}). Only there, so that a value stored before these
 * rules (a cached product whose name has a control character) still reads.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class JacksonConfig {

	@Bean
	JsonMapperBuilderCustomizer strictTypes() {
		return (builder) -> builder
			.withCoercionConfig(LogicalType.Textual, (config) -> config
				.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			.withCoercionConfig(LogicalType.Integer, (config) -> config
				.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			.withCoercionConfig(LogicalType.Enum, (config) -> config
				.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
			.enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
			.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
			.addModule(StrictJson.values());
	}

	/**
	 * The server's JSON decoder reads request bodies with the application's mapper made stricter still, and
	 * buffers at most {@code app.web.limits.body} (the service's HTTP clients keep Spring's default). After
	 * Spring Boot's own codec configuration, which would otherwise set the plain mapper.
	 */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	WebFluxConfigurer strictRequestBodies(JsonMapper jsonMapper, RequestLimitsProperties limits) {
		JsonMapper strict = jsonMapper.rebuild()
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.addModule(StrictJson.plainText())
			.build();
		return new WebFluxConfigurer() {
			@Override
			public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
				configurer.defaultCodecs().maxInMemorySize((int) limits.body().toBytes());
				configurer.defaultCodecs().jacksonJsonDecoder(new JacksonJsonDecoder(strict));
			}
		};
	}

}
