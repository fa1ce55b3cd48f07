package com.example.flashsale.support.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The published development secret only ever runs in the local profile, and short secrets never. */
class JwtSecretGuardTest {

	private static final JwtProperties DEVELOPMENT = new JwtProperties(JwtProperties.LOCAL_DEVELOPMENT_SECRET,
			Duration.ofHours(1));

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
		assertThatIllegalArgumentException().isThrownBy(() -> new JwtProperties("too-short", Duration.ofHours(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new JwtProperties(null, Duration.ofHours(1)));
	}

	@Test
	void theLocalProfileConfigurationCarriesTheGuardedSecret() throws IOException {
		String yaml = new ClassPathResource("application-local.yaml").getContentAsString(StandardCharsets.UTF_8);
		assertThat(yaml).contains(JwtProperties.LOCAL_DEVELOPMENT_SECRET);
	}

}
