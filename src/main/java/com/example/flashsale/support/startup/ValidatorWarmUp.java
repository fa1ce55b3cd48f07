package com.example.flashsale.support.startup;

import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;

import org.springframework.stereotype.Component;

/**
 * Hibernate Validator reads its message bundles from the jar on the first violation it reports; one is
 * reported here, so no event-loop thread ever does that file I/O.
 */
@Component
class ValidatorWarmUp implements StartupTask {

	private final Validator validator;

	ValidatorWarmUp(Validator validator) {
		this.validator = validator;
	}

	@Override
	public void run() {
		this.validator.validate(new Sample(null));
	}

	private record Sample(@NotNull String value) {
	}

}
