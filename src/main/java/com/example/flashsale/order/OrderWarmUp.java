package com.example.flashsale.order;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.startup.StartupTask;

/** Looks up the request fingerprint's digest once at startup (its first lookup reads files). */
@Component
class OrderWarmUp implements StartupTask {

	@Override
	public void run() {
		OrderRequestValidator.sha256();
	}

}
