package com.example.flashsale.support.redis;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Loads the Lua scripts of {@code src/main/resources/redis}. {@code DefaultRedisScript} reads its
 * resource and computes the SHA-1 lazily, with blocking I/O, on first use; scripts made here have
 * both done at startup, so EVALSHA on the event loop never blocks. Make each script one shared bean.
 */
public final class LuaScripts {

	private LuaScripts() {
	}

	/**
	 * The script {@code redis/<name>.lua} returning {@code resultType}, with its SHA-1 already computed.
	 */
	public static <T> RedisScript<T> load(String name, Class<T> resultType) {
		RedisScript<T> script = RedisScript.of(new ClassPathResource("redis/" + name + ".lua"), resultType);
		script.getSha1();
		script.getScriptAsString();
		return script;
	}

}
