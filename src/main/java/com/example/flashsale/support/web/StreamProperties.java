package com.example.flashsale.support.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.streams.*}: the caps of {@link StreamLimits} on open server-sent event streams, counted per
 * instance.
 *
 * @param maxPerUser most streams one user may hold open on one instance
 * @param maxPerInstance most streams one instance holds open in all
 */
@ConfigurationProperties("app.streams")
public record StreamProperties(@DefaultValue("5") int maxPerUser, @DefaultValue("10000") int maxPerInstance) {
}
