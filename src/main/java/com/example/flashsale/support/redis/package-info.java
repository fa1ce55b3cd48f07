/**
 * Redis wiring, the registry of Lua scripts (LuaScripts) and the compare-and-delete lock (RedisLock).
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("redis")
package com.example.flashsale.support.redis;

import org.springframework.modulith.NamedInterface;
