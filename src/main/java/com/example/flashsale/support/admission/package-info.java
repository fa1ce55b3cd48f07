/**
 * Flash-crowd admission in front of the handlers
 * (docs/operations.md "Admission: rate limits, load shedding, sold out from memory"): per-user token buckets shared by every instance in Redis
 * (RateLimits, ADR 0023) and a per-instance cap on the requests an expensive route runs at once
 * (LoadShedding, ADR 0024). Each has its own switch, on by default: {@code app.rate-limit.enabled},
 * {@code app.load-shedding.enabled}.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("admission")
package com.example.flashsale.support.admission;

import org.springframework.modulith.NamedInterface;
