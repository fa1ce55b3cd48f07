package com.example.flashsale.support.security;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which claim shapes grant roles (docs/api.md "Authentication"): for {@code roles} and nested paths only
 * a JSON array of strings, so a plain string never makes an ADMIN; for {@code scope} / {@code scp} a
 * space-separated string or an array. The tokens the service mints put roles where it reads them.
 */
class RolesClaimTest {

	@Test
	void rolesMustBeAJsonArray() {
		RolesClaim roles = new RolesClaim("roles");
		assertThat(roles.isScope()).isFalse();
		assertThat(roles.roles(Map.of("roles", List.of("ADMIN", "USER")))).containsExactly("ADMIN", "USER");
		assertThat(roles.roles(Map.of("roles", "ADMIN"))).isEmpty();
		assertThat(roles.roles(Map.of("roles", "USER ADMIN"))).isEmpty();
		assertThat(roles.roles(Map.of("roles", "USER,ADMIN"))).isEmpty();
		assertThat(roles.roles(Map.of("roles", List.of(1, true, " ", "ADMIN")))).containsExactly("ADMIN");
		assertThat(roles.roles(Map.of("roles", Map.of("ADMIN", true)))).isEmpty();
		assertThat(roles.roles(Map.of())).isEmpty();
	}

	@Test
	void scopeClaimsAreSpaceSeparated() {
		for (String claim : List.of("scope", "scp")) {
			RolesClaim scope = new RolesClaim(claim);
			assertThat(scope.isScope()).isTrue();
			assertThat(scope.roles(Map.of(claim, " read  ADMIN "))).containsExactly("read", "ADMIN");
			assertThat(scope.roles(Map.of(claim, List.of("read", "ADMIN")))).containsExactly("read", "ADMIN");
			assertThat(scope.roles(Map.of(claim, ""))).isEmpty();
		}
	}

	@Test
	void aDottedPathReadsANestedArray() {
		RolesClaim nested = new RolesClaim("realm_access.roles");
		assertThat(nested.roles(Map.of("realm_access", Map.of("roles", List.of("ADMIN"))))).containsExactly("ADMIN");
		assertThat(nested.roles(Map.of("realm_access", Map.of("roles", "ADMIN")))).isEmpty();
		assertThat(nested.roles(Map.of("realm_access", "ADMIN"))).isEmpty();
		assertThat(nested.roles(Map.of("roles", List.of("ADMIN")))).isEmpty();
	}

	@Test
	void mintedClaimsAreReadBack() {
		for (String claim : List.of("roles", "scope", "realm_access.roles", "resource_access.flashsale.roles")) {
			RolesClaim roles = new RolesClaim(claim);
			assertThat(roles.roles(roles.claimsFor(List.of("ADMIN", "USER")))).as(claim).containsExactly("ADMIN", "USER");
		}
		assertThat(new RolesClaim("scope").claimsFor(List.of("ADMIN", "USER"))).isEqualTo(Map.of("scope", "ADMIN USER"));
	}

}
