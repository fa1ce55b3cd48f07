package com.example.flashsale.support.config;

import org.junit.jupiter.api.Test;

import com.example.flashsale.support.config.BackendChoice.Kind;

import static org.assertj.core.api.Assertions.assertThat;

/** The order of choice of docs/architecture.md "Backends at startup": configured/local, then Docker, then embedded. */
class BackendChoiceTest {

	@Test
	void configuredServicesThatAnswerAreUsedEvenWhenDockerAndEmbeddedAreThere() {
		assertThat(BackendChoice.decide(true, true, true, true)).isEqualTo(new BackendChoice(Kind.LOCAL, Kind.LOCAL));
		assertThat(BackendChoice.decide(true, true, false, false)).isEqualTo(new BackendChoice(Kind.LOCAL, Kind.LOCAL));
	}

	@Test
	void unansweredServicesWithDockerComeFromDocker() {
		assertThat(BackendChoice.decide(false, false, true, true)).isEqualTo(new BackendChoice(Kind.DOCKER, Kind.DOCKER));
		// Compose and the test containers bring both services
		assertThat(BackendChoice.decide(true, false, true, true)).isEqualTo(new BackendChoice(Kind.DOCKER, Kind.DOCKER));
	}

	@Test
	void neitherServicesNorDockerMeansEmbeddedForWhatDoesNotAnswer() {
		assertThat(BackendChoice.decide(false, false, false, true)).isEqualTo(new BackendChoice(Kind.EMBEDDED, Kind.EMBEDDED));
		assertThat(BackendChoice.decide(true, false, false, true)).isEqualTo(new BackendChoice(Kind.LOCAL, Kind.EMBEDDED));
		assertThat(BackendChoice.decide(false, true, false, true)).isEqualTo(new BackendChoice(Kind.EMBEDDED, Kind.LOCAL));
	}

	@Test
	void withoutEmbeddedEnginesNothingServesWhatDoesNotAnswer() {
		BackendChoice choice = BackendChoice.decide(false, true, false, false);
		assertThat(choice).isEqualTo(new BackendChoice(Kind.NONE, Kind.LOCAL));
		assertThat(choice.anyUnserved()).isTrue();
		assertThat(choice.anyEmbedded()).isFalse();
	}

}
