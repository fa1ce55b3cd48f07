package com.example.flashsale.support.redis;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis client connects at startup, so no event-loop thread ever performs the first connect; it refuses
 * commands while disconnected; on a Redis Cluster ({@code SPRING_DATA_REDIS_CLUSTER_NODES}) it also
 * rereads the topology as docs/operations.md "Redis Cluster" says.
 */
class RedisConfigTest extends IntegrationTest {

	@Autowired
	LettuceConnectionFactory connectionFactory;

	@Autowired
	RedisClientProperties properties;

	@Test
	void theSharedConnectionIsOpenedEagerly() {
		assertThat(this.connectionFactory.getEagerInitialization()).isTrue();
		assertThat(this.connectionFactory.isRunning()).isTrue();
	}

	@Test
	void theClientRefusesCommandsWhileDisconnectedAndOnAClusterRereadsTheTopologyOnTroubleAndEverySecond() {
		ClientOptions options = this.connectionFactory.getClientConfiguration().getClientOptions().orElseThrow();
		assertThat(options.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.REJECT_COMMANDS);
		TimeoutOptions.TimeoutSource timeout = options.getTimeoutOptions().getSource();
		assertThat(Duration.of(timeout.getTimeout(null), timeout.getTimeUnit().toChronoUnit()))
			.isEqualTo(this.properties.commandTimeout());
		if (this.connectionFactory.isClusterAware()) {
			assertThat(options).isInstanceOf(ClusterClientOptions.class);
			assertRefresh(((ClusterClientOptions) options).getTopologyRefreshOptions());
		}
		else {
			assertThat(options).isNotInstanceOf(ClusterClientOptions.class);
		}
		// the options a cluster gets, whatever this run is connected to
		assertRefresh(RedisConfig.clusterTopologyRefresh(this.properties));
	}

	private static void assertRefresh(ClusterTopologyRefreshOptions refresh) {
		assertThat(refresh.getAdaptiveRefreshTriggers()).containsExactlyInAnyOrder(RefreshTrigger.values());
		assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofMillis(500));
		assertThat(refresh.getRefreshTriggersReconnectAttempts()).isEqualTo(2);
		assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
		assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(1));
		assertThat(refresh.useDynamicRefreshSources()).isTrue();
	}

}
