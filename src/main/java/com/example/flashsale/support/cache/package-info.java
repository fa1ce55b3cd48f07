/**
 * The read-through cache over Redis that every cached read uses (ReadThroughCache).
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("cache")
package com.example.flashsale.support.cache;

import org.springframework.modulith.NamedInterface;
