package com.example.flashsale.support.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.DigestUtils;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Loads the Lua scripts of {@code src/main/resources/redis} with their SHA-1 computed once, at startup.
 * Spring's {@code DefaultRedisScript} reads its resource lazily and guards its SHA with a lock taken on
 * every call, which parks event-loop threads under contention (BlockHound reports it); the scripts made
 * here are immutable, so EVALSHA on the event loop never blocks. Keep each script in one shared constant.
 */
public final class LuaScripts {

	private LuaScripts() {
	}

	/**
	 * The script {@code redis/<name>.lua} returning {@code resultType}.
	 * @throws UncheckedIOException when the resource cannot be read
	 */
	public static <T> RedisScript<T> load(String name, Class<T> resultType) {
		try {
			String source = new ClassPathResource("redis/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
			return new LoadedScript<>(source, DigestUtils.sha1DigestAsHex(source), resultType);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read Lua script " + name, ex);
		}
	}

	private record LoadedScript<T>(String source, String sha1, Class<T> resultType) implements RedisScript<T> {

		@Override
		public String getSha1() {
			return this.sha1;
		}

		@Override
		public Class<T> getResultType() {
			return this.resultType;
		}

		@Override
		public String getScriptAsString() {
			return this.source;
		}

	}

}
