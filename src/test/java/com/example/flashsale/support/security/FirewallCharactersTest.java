package com.example.flashsale.support.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FirewallCharacters} decides as Spring Security's own expressions (the ones its
 * {@code StrictServerWebExchangeFirewall} compiles, copied here) for every character of the Basic
 * Multilingual Plane, supplementary and unassigned code points, lone surrogates, and random mixes.
 */
class FirewallCharactersTest {

	private static final Pattern NAME = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

	private static final Pattern VALUE = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

	@Test
	void everyCharacterOfTheBasicPlaneAloneAndBetweenLetters() {
		for (int c = 0; c <= 0xFFFF; c++) {
			String alone = String.valueOf((char) c);
			assertSame(alone);
			assertSame("ab" + alone + "cd");
		}
	}

	@Test
	void supplementaryCodePointsAndSurrogates() {
		for (int codePoint = 0x10000; codePoint <= Character.MAX_CODE_POINT; codePoint += 97) {
			assertSame("x" + Character.toString(codePoint) + "y");
		}
		// U+1F600 (assigned), U+E01F0 (unassigned), a high and a low surrogate alone, and reversed
		for (String text : List.of("\uD83D\uDE00", "\uDB40\uDDF0", "a\uD83D", "\uDE00b", "\uDE00\uD83D", "")) {
			assertSame(text);
		}
		assertThat(FirewallCharacters.name(null)).isTrue();
		assertThat(FirewallCharacters.value(null)).isTrue();
	}

	@Test
	void randomMixes() {
		Random random = new Random(20261201L);
		int[] pool = { 'a', 'Z', '0', ' ', '\t', '\n', 0x7F, 0x85, 0xA0, 0xE9, 0x378, 0x200B, 0xFFFE, 0xD800, 0xDC00,
				0x1F600, 0xE01F0, 0x10FFFF };
		List<String> texts = new ArrayList<>();
		for (int n = 0; n < 20_000; n++) {
			StringBuilder text = new StringBuilder();
			for (int k = random.nextInt(12); k > 0; k--) {
				text.appendCodePoint((random.nextInt(4) == 0) ? random.nextInt(0x110000) : pool[random.nextInt(pool.length)]);
			}
			texts.add(text.toString());
		}
		texts.forEach(FirewallCharactersTest::assertSame);
	}

	private static void assertSame(String text) {
		assertThat(FirewallCharacters.name(text)).as("name %s", codePoints(text)).isEqualTo(NAME.matcher(text).matches());
		assertThat(FirewallCharacters.value(text)).as("value %s", codePoints(text)).isEqualTo(VALUE.matcher(text).matches());
	}

	private static List<String> codePoints(String text) {
		return text.codePoints().mapToObj(Integer::toHexString).toList();
	}

}
