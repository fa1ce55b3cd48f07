package com.example.flashsale.support.web;

/**
 * The one accepted spelling of an id (docs/api.md "Strict input"): a positive 64-bit integer written in
 * ASCII digits, without sign, leading zero, spaces or any other digit set, so {@code +1}, {@code 0001},
 * {@code ١} (Arabic-Indic) and {@code １} (full-width) never name id 1. Used for path and query ids and for
 * the user id of a token.
 */
public final class Ids {

	/** The longest canonical id: {@code Long.MAX_VALUE} has 19 digits. */
	private static final int MAX_DIGITS = 19;

	private Ids() {
	}

	/**
	 * The id {@code text} spells canonically.
	 * @return the id, or 0 when {@code text} is null, empty, not canonical or above {@code Long.MAX_VALUE}
	 */
	public static long parse(String text) {
		if (text == null || text.isEmpty() || text.length() > MAX_DIGITS || text.charAt(0) == '0') {
			return 0;
		}
		long value = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return 0;
			}
			int digit = c - '0';
			if (value > (Long.MAX_VALUE - digit) / 10) {
				return 0;
			}
			value = value * 10 + digit;
		}
		return value;
	}

}
