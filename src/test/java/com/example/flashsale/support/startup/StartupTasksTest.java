package com.example.flashsale.support.startup;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/architecture.md "Startup and background jobs": a failing startup task is logged and the start goes on,
 * unless it refuses the start.
 */
class StartupTasksTest {

	@Test
	void aFailingTaskIsSkippedButARefusalStopsTheStart() {
		List<String> ran = new ArrayList<>();
		DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
		beans.registerSingleton("failing", (StartupTask) () -> {
			ran.add("failing");
			throw new IllegalStateException("cache warm-up failed");
		});
		beans.registerSingleton("next", (StartupTask) () -> ran.add("next"));
		new StartupTasks(beans.getBeanProvider(StartupTask.class)).start();
		assertThat(ran).containsExactly("failing", "next");

		beans.registerSingleton("refusing", (StartupTask) () -> {
			throw new StartupRefusedException("wrong Redis");
		});
		ran.clear();
		assertThatThrownBy(() -> new StartupTasks(beans.getBeanProvider(StartupTask.class)).start())
			.isInstanceOf(StartupRefusedException.class)
			.hasMessage("wrong Redis");
	}

}
