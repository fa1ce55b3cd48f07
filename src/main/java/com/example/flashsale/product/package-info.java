/**
 * The product catalogue and its stock (docs/api.md "Products", docs/flows.md "Order and payment"): buyers
 * read the catalogue through the Redis cache ({@link com.example.flashsale.product.ProductCatalog});
 * operators create and change products; each product's sellable stock lives in Redis for the order path
 * ({@link com.example.flashsale.product.ProductStock}, {@link com.example.flashsale.product.Inventory}).
 *
 * <p>Owns the table {@code products}.
 */
@ApplicationModule(allowedDependencies = { "waitingroom", "support :: *" })
package com.example.flashsale.product;

import org.springframework.modulith.ApplicationModule;
