/**
 * Shared infrastructure of every feature (docs/architecture.md): problem details, request reading, Redis
 * scripts and locks, caching, jobs and startup tasks, security, configuration. Each sub-package is a named
 * interface; nothing here depends on a feature.
 */
@ApplicationModule(displayName = "Support")
package com.example.flashsale.support;

import org.springframework.modulith.ApplicationModule;
