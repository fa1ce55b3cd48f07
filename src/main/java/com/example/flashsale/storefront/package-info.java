/**
 * The storefront page (docs/operations.md "Storefront"): what a shop would show a customer, served by the
 * service at {@code /shop} and talking to the public API from the browser (sign in, products, the coupon
 * event, buying, the order's status live over {@code EventSource} with a stream token). Owns no table and
 * no logic of the sale.
 */
@ApplicationModule(allowedDependencies = { "support :: *" })
package com.example.flashsale.storefront;

import org.springframework.modulith.ApplicationModule;
