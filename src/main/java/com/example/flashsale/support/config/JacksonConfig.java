package com.example.flashsale.support.config;

import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Strict JSON types for request bodies: a number, boolean or object where text is expected is a 400
 * INVALID_REQUEST, not silently turned into a string ({@code "name": 7}). Text where a number is
 * expected is refused by {@code spring.jackson.mapper.allow-coercion-of-scalars=false}, and a fraction
 * where an integer is expected ({@code "amount": 1000.5}, money is whole KRW) is refused, not truncated.
 */
@Configuration(proxyBeanMethods = false)
class JacksonConfig {

	@Bean
	JsonMapperBuilderCustomizer strictTextual() {
		return (builder) -> builder.withCoercionConfig(LogicalType.Textual, (config) -> config
			.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
			.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			.withCoercionConfig(LogicalType.Integer,
					(config) -> config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail));
	}

}
