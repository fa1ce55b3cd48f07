/**
 * Popular products (docs/flows.md "Popular products"): the hourly aggregation of what PAID orders sold
 * (read through the order feature's {@code OrderSales}) into daily statistics, and the cached ranking of
 * active products (names and prices from the product catalogue).
 *
 * <p>Owns the table {@code product_sales_stats}.
 */
@ApplicationModule(allowedDependencies = { "order", "product", "support :: *" })
package com.example.flashsale.popular;

import org.springframework.modulith.ApplicationModule;
