package com.example.flashsale.support.security;

/**
 * The character rules of Spring Security's {@code StrictServerWebExchangeFirewall} for header names, header
 * values and parameter names, written as a loop instead of its regular expressions: every code point
 * assigned in Unicode and not a control character (a header value may also hold a tab); {@code null}
 * passes, as it does there. The firewall checks a header each time anything reads it, several times per
 * request, and the expressions were about 4 % of the CPU of a warm sold-out claim rush
 * (docs/adr/0031-cheaper-security-chain-per-request.md). {@code FirewallCharactersTest} holds them equal
 * to Spring Security's expressions.
 */
final class FirewallCharacters {

	private FirewallCharacters() {
	}

	/** Header and parameter names: {@code [\p{IsAssigned}&&[^\p{IsControl}]]*}. */
	static boolean name(String value) {
		return value == null || allowed(value, false);
	}

	/** Header values: {@code [\p{IsAssigned}&&[[^\p{IsControl}]||\t]]*}. */
	static boolean value(String value) {
		return value == null || allowed(value, true);
	}

	private static boolean allowed(String text, boolean tab) {
		int length = text.length();
		int i = 0;
		while (i < length) {
			char c = text.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				// printable ASCII, nearly every header's every character
				i++;
				continue;
			}
			int codePoint = text.codePointAt(i);
			int type = Character.getType(codePoint);
			if (type == Character.UNASSIGNED || (type == Character.CONTROL && !(tab && codePoint == '\t'))) {
				return false;
			}
			i += Character.charCount(codePoint);
		}
		return true;
	}

}
