package com.example.flashsale.support.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the caller's role names from the claim named by {@code app.security.jwt.roles-claim} (docs/api.md
 * "Authentication"): a dotted path into nested objects ({@code realm_access.roles}) or a top-level name.
 * Strict about shapes: only a JSON array of strings counts, except for the OAuth2 scope claims
 * ({@code scope}, {@code scp}), which are space-separated strings by RFC 8693 and may also be arrays. A
 * plain string in a {@code roles} claim grants nothing, so {@code "roles":"ADMIN USER"} is not an ADMIN.
 */
final class RolesClaim {

	private static final Pattern SPACES = Pattern.compile("\\s+");

	private final List<String> path;

	private final boolean scope;

	/** @param claim the configured claim: a name or a dotted path */
	RolesClaim(String claim) {
		this.path = List.of(claim.split("\\."));
		String last = this.path.get(this.path.size() - 1);
		this.scope = last.equals("scope") || last.equals("scp");
	}

	/** Whether the claim is a space-separated scope claim. */
	boolean isScope() {
		return this.scope;
	}

	/** The role names in {@code claims}; empty when the claim is missing or of another shape. */
	List<String> roles(Map<String, Object> claims) {
		Object value = claims;
		for (String segment : this.path) {
			if (!(value instanceof Map<?, ?> map)) {
				return List.of();
			}
			value = map.get(segment);
		}
		if (value instanceof Collection<?> names) {
			return names.stream().filter(String.class::isInstance).map(String.class::cast)
				.filter((name) -> !name.isBlank()).toList();
		}
		if (this.scope && value instanceof String text) {
			return SPACES.splitAsStream(text.strip()).filter((name) -> !name.isEmpty()).toList();
		}
		return List.of();
	}

	/**
	 * The claims that carry {@code roles} in this claim's shape, for tokens the service mints itself: a
	 * JSON array (a space-separated string for a scope claim), nested along the dotted path.
	 */
	Map<String, Object> claimsFor(List<String> roles) {
		Object value = this.scope ? String.join(" ", roles) : List.copyOf(roles);
		for (int i = this.path.size() - 1; i >= 0; i--) {
			value = Map.of(this.path.get(i), value);
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> claims = (Map<String, Object>) value;
		return claims;
	}

}
