/**
 * Helpers for R2DBC over MySQL/MariaDB: UTC columns and error numbers.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("db")
package com.example.flashsale.support.db;

import org.springframework.modulith.NamedInterface;
