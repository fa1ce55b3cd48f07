/**
 * What handlers read from requests (Requests) and the shared keyset page (KeysetPage).
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("web")
package com.example.flashsale.support.web;

import org.springframework.modulith.NamedInterface;
