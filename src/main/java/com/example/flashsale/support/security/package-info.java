/**
 * JWT bearer authentication and the local profile's token endpoint.
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("security")
package com.example.flashsale.support.security;

import org.springframework.modulith.NamedInterface;
