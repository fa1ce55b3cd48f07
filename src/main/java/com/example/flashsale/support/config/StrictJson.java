package com.example.flashsale.support.config;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * The Jackson modules of docs/api.md "Strict input": one canonical JSON form per value, everything else a
 * mapping error (answered 400 {@code INVALID_REQUEST}).
 * <ul>
 * <li>{@link #values()}: an enum is a JSON string equal to a constant's name (no ordinal, no
 * {@code "1"}, no surrounding space, no other case); an {@link Instant} is an ISO-8601 date-time string with
 * an offset ({@code 2030-01-01T00:00:00Z}, {@code 2030-01-01T09:00:00+09:00}), never an epoch number or
 * string. The service writes exactly these forms, so every mapper reads with it.</li>
 * <li>{@link #plainText()}: text holds no control character (C0, DEL, C1), no unpaired surrogate and no
 * noncharacter U+FFFE / U+FFFF. Request bodies only, so that values stored before this rule still read.</li>
 * </ul>
 */
final class StrictJson {

	private StrictJson() {
	}

	/** Enums by exact name and instants as ISO-8601 strings. */
	static SimpleModule values() {
		SimpleModule module = new SimpleModule("strict-values");
		module.addDeserializer(Instant.class, new IsoInstantDeserializer());
		module.setDeserializerModifier(new ValueDeserializerModifier() {
			@Override
			public ValueDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
					BeanDescription.Supplier beanDescription, ValueDeserializer<?> deserializer) {
				return new ExactEnumDeserializer(type.getRawClass());
			}
		});
		return module;
	}

	/** Text without control characters, unpaired surrogates or noncharacters. */
	static SimpleModule plainText() {
		return new SimpleModule("plain-text").addDeserializer(String.class, new PlainTextDeserializer());
	}

	/** Whether {@code text} is plain: see {@link #plainText()}. */
	static boolean isPlain(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xfffe || c == 0xffff) {
				return false;
			}
			if (Character.isHighSurrogate(c)) {
				if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
					return false;
				}
				i++;
			}
			else if (Character.isLowSurrogate(c)) {
				return false;
			}
		}
		return true;
	}

	/** An enum constant from a JSON string equal to its name; anything else is a mapping error. */
	static final class ExactEnumDeserializer extends StdScalarDeserializer<Object> {

		private final Map<String, Object> byName = new LinkedHashMap<>();

		ExactEnumDeserializer(Class<?> type) {
			super(type);
			Arrays.stream(type.getEnumConstants()).forEach((constant) -> this.byName.put(((Enum<?>) constant).name(), constant));
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext context) {
			if (!parser.hasToken(JsonToken.VALUE_STRING)) {
				return context.handleUnexpectedToken(handledType(), parser);
			}
			String text = parser.getString();
			Object constant = this.byName.get(text);
			if (constant == null) {
				return context.handleWeirdStringValue(handledType(), text, "not one of %s", this.byName.keySet());
			}
			return constant;
		}

	}

	/** An instant from an ISO-8601 date-time string with an offset; numbers and other strings are refused. */
	static final class IsoInstantDeserializer extends StdScalarDeserializer<Instant> {

		IsoInstantDeserializer() {
			super(Instant.class);
		}

		@Override
		public Instant deserialize(JsonParser parser, DeserializationContext context) {
			if (!parser.hasToken(JsonToken.VALUE_STRING)) {
				return (Instant) context.handleUnexpectedToken(Instant.class, parser);
			}
			String text = parser.getString();
			try {
				return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
			}
			catch (DateTimeParseException ex) {
				return (Instant) context.handleWeirdStringValue(Instant.class, text,
						"not an ISO-8601 date-time with an offset, e.g. 2030-01-01T00:00:00Z");
			}
		}

	}

	/** A string as Jackson reads it, refused when it is not plain text. */
	static final class PlainTextDeserializer extends StringDeserializer {

		@Override
		public String deserialize(JsonParser parser, DeserializationContext context) {
			String text = super.deserialize(parser, context);
			if (text != null && !isPlain(text)) {
				return (String) context.handleWeirdStringValue(String.class, text,
						"control characters, unpaired surrogates and noncharacters are not accepted");
			}
			return text;
		}

	}

}
