/**
 * What handlers read from requests (Requests, Ids: the one spelling of an id), the shared keyset page
 * (KeysetPage), the access log (AccessLog, docs/architecture.md "Access log"), and the checks every request
 * passes before a handler runs: size limits (RequestLimits) and media types (MediaTypeCheck), docs/api.md
 * "Request limits" and "Strict input".
 * Shared by every feature: a named interface of the {@code support} module (docs/architecture.md).
 */
@NamedInterface("web")
package com.example.flashsale.support.web;

import org.springframework.modulith.NamedInterface;
