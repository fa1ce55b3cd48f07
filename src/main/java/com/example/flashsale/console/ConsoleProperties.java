package com.example.flashsale.console;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.console.*}: the operator console's settings (docs/operations.md "Operator console").
 *
 * @param interval time between two live snapshots
 */
@ConfigurationProperties("app.console")
record ConsoleProperties(@DefaultValue("1s") Duration interval) {
}
