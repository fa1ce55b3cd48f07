/**
 * Background jobs (BackgroundJob) and the cross-instance locks of one-instance jobs (SingleRunJobs).
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("jobs")
package com.example.flashsale.support.jobs;

import org.springframework.modulith.NamedInterface;
