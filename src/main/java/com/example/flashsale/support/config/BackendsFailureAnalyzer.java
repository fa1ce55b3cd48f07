package com.example.flashsale.support.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link BackendsUnavailableException} into Spring Boot's short "APPLICATION FAILED TO START"
 * report: what is missing and what to do, without the stack trace (docs/architecture.md "Backends at
 * startup").
 */
public class BackendsFailureAnalyzer extends AbstractFailureAnalyzer<BackendsUnavailableException> {

	/** The exception's sentence as the description and its advice as the action. */
	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, BackendsUnavailableException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
	}

}
