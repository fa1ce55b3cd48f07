/**
 * Application-wide configuration: the clock, strict JSON, transactions, local-service detection.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("config")
package com.example.flashsale.support.config;

import org.springframework.modulith.NamedInterface;
