/**
 * Reactor helpers (RunToCompletion).
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("reactor")
package com.example.flashsale.support.reactor;

import org.springframework.modulith.NamedInterface;
