/**
 * The OpenAPI document of the functional routes (docs/api.md "OpenAPI"): {@link
 * com.example.flashsale.support.openapi.ApiDocs}, the pieces each feature's {@code XApiDoc} describes its
 * routes with, and {@link com.example.flashsale.support.openapi.OpenApiConfig}, the document's header,
 * bearer scheme and problem responses. Shared by every feature: a named interface of the {@code support}
 * module (docs/architecture.md).
 */
@NamedInterface("openapi")
package com.example.flashsale.support.openapi;

import org.springframework.modulith.NamedInterface;
