package com.example.flashsale.architecture;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

import com.example.flashsale.FlashSaleApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feature boundaries of docs/architecture.md, checked by Spring Modulith: each top-level package is a
 * module; a module uses another only through its public types (never a sub-package), only if its
 * {@code package-info.java} lists it in {@code allowedDependencies}, and the modules form no cycle. The
 * {@code support} module's sub-packages are its named interfaces.
 */
class ModuleBoundariesTest {

	private static final ApplicationModules MODULES = ApplicationModules.of(FlashSaleApplication.class);

	@Test
	void everyFeatureUsesOnlyTheFeaturesItDeclares() {
		MODULES.verify();
	}

	@Test
	void theModulesAreTheFeaturesAndSupport() {
		assertThat(MODULES.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
			.containsExactlyInAnyOrder("balance", "console", "coupon", "demo", "order", "outbox", "popular", "product",
					"storefront", "support", "waitingroom");
	}

}
