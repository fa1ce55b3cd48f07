/**
 * Application-wide configuration: the clock, strict JSON, transactions, and the choice of backends at
 * startup (local, Docker or embedded; docs/architecture.md "Backends at startup").
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("config")
package com.example.flashsale.support.config;

import org.springframework.modulith.NamedInterface;
