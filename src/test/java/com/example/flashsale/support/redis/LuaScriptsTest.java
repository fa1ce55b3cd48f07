package com.example.flashsale.support.redis;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.redis.LuaScripts.LoadedScript;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lua script registry: every {@code redis/*.lua} resource is registered exactly once, and Redis
 * accepts every script ({@code SCRIPT LOAD} compiles it) under the SHA-1 computed at startup, which
 * EVALSHA relies on.
 */
class LuaScriptsTest extends IntegrationTest {

	@Autowired
	ReactiveRedisConnectionFactory connections;

	@Test
	void everyScriptResourceIsRegisteredOnce() throws IOException {
		List<String> resources;
		try (Stream<Path> files = Files.list(Path.of("src/main/resources/redis"))) {
			resources = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.endsWith(".lua"))
				.map((name) -> name.substring(0, name.length() - ".lua".length()))
				.toList();
		}
		assertThat(LuaScripts.ALL.stream().map((script) -> ((LoadedScript<?>) script).name()))
			.containsExactlyInAnyOrderElementsOf(resources);
	}

	@Test
	void redisLoadsEveryScriptUnderItsPrecomputedSha() {
		List<String> loaded = Flux.fromIterable(LuaScripts.ALL)
			.concatMap((script) -> this.connections.getReactiveConnection()
				.scriptingCommands()
				.scriptLoad(ByteBuffer.wrap(script.getScriptAsString().getBytes(StandardCharsets.UTF_8))))
			.collectList()
			.block();
		assertThat(loaded).containsExactlyElementsOf(LuaScripts.ALL.stream().map(RedisScript::getSha1).toList());
	}

}
