/**
 * What handlers read from requests (Requests), the shared keyset page (KeysetPage) and the access log
 * (AccessLog, docs/architecture.md "Access log").
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("web")
package com.example.flashsale.support.web;

import org.springframework.modulith.NamedInterface;
