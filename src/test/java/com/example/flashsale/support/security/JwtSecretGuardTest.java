package com.example.flashsale.support.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The published development secret only ever runs in the local profile, short secrets never, and the
 * service refuses to start without a way to check tokens or with a provider it cannot pin to an issuer
 * (docs/api.md "Authentication").
 */
class JwtSecretGuardTest {

	private static final JwtProperties DEVELOPMENT = properties(JwtProperties.LOCAL_DEVELOPMENT_SECRET);

	@Test
	void aNonLocalProfileRefusesToStartWithTheDevelopmentSecret() {
		MockEnvironment production = new MockEnvironment();
		production.setActiveProfiles("prod");
		assertThatIllegalStateException().isThrownBy(() -> new SecurityConfig.JwtSecretGuard(DEVELOPMENT, production))
			.withMessageContaining("APP_SECURITY_JWT_SECRET");
	}

	@Test
	void theLocalProfileMayUseIt() {
		MockEnvironment local = new MockEnvironment();
		local.setActiveProfiles("local");
		assertThatNoException().isThrownBy(() -> new SecurityConfig.JwtSecretGuard(DEVELOPMENT, local));
	}

	@Test
	void secretsShorterThan32BytesAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> properties("too-short"));
	}

	@Test
	void withoutASecretTheServiceNeedsAnIdentityProvider() {
		assertThatIllegalStateException()
			.isThrownBy(() -> TokenDecoders.create(properties(null), new OAuth2ResourceServerProperties.Jwt(), false,
					WebClient.create()))
			.withMessageContaining("APP_SECURITY_JWT_SECRET")
			.withMessageContaining("issuer-uri");
		assertThatIllegalStateException()
			.isThrownBy(() -> TokenDecoders.create(properties(""), new OAuth2ResourceServerProperties.Jwt(), true,
					WebClient.create()));
	}

	@Test
	void aJwkSetWithoutAnIssuerIsRefused() {
		OAuth2ResourceServerProperties.Jwt provider = new OAuth2ResourceServerProperties.Jwt();
		provider.setJwkSetUri("http://127.0.0.1:1/jwks");
		assertThatIllegalStateException()
			.isThrownBy(() -> TokenDecoders.create(properties(null), provider, false, WebClient.create()))
			.withMessageContaining("issuer-uri");
	}

	@Test
	void aSymmetricProviderAlgorithmIsRefused() {
		OAuth2ResourceServerProperties.Jwt provider = new OAuth2ResourceServerProperties.Jwt();
		provider.setIssuerUri("http://127.0.0.1:1/realms/shop");
		provider.setJwkSetUri("http://127.0.0.1:1/jwks");
		provider.setJwsAlgorithms(List.of("HS256"));
		assertThatIllegalStateException()
			.isThrownBy(() -> TokenDecoders.create(properties(null), provider, false, WebClient.create()))
			.withMessageContaining("HS256");
	}

	private static JwtProperties properties(String secret) {
		return new JwtProperties(secret, Duration.ofHours(1), "roles", "sub");
	}

	@Test
	void theLocalProfileConfigurationCarriesTheGuardedSecret() throws IOException {
		String yaml = new ClassPathResource("application-local.yaml").getContentAsString(StandardCharsets.UTF_8);
		assertThat(yaml).contains(JwtProperties.LOCAL_DEVELOPMENT_SECRET);
	}

}
