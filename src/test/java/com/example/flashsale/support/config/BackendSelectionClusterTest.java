package com.example.flashsale.support.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code spring.data.redis.cluster.nodes} set, the startup selection probes those listed nodes instead of
 * {@code REDIS_HOST:REDIS_PORT} (docs/operations.md "Redis Cluster"); here, how it reads them.
 */
class BackendSelectionClusterTest {

	@Test
	void theListedNodesAreTheCommaSeparatedEntriesOfTheProperty() {
		assertThat(BackendSelection.clusterNodes(null)).isEmpty();
		assertThat(BackendSelection.clusterNodes("  ")).isEmpty();
		assertThat(BackendSelection.clusterNodes(" 127.0.0.1:7101, ,127.0.0.1:7102,")).containsExactly("127.0.0.1:7101",
				"127.0.0.1:7102");
	}

}
