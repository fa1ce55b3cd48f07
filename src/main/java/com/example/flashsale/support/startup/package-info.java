/**
 * Startup tasks (StartupTask): warm-ups and loads run on the main thread before requests are taken.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("startup")
package com.example.flashsale.support.startup;

import org.springframework.modulith.NamedInterface;
