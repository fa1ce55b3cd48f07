/**
 * RFC 9457 problem details: the stable error codes and the one writer of problem bodies.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("problem")
package com.example.flashsale.support.problem;

import org.springframework.modulith.NamedInterface;
