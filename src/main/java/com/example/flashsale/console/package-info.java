/**
 * The operator console (docs/operations.md "Operator console"): the page at {@code /console} and its
 * admin server-sent event stream {@code /api/admin/live}, one snapshot of the sale per second built from
 * Redis and MySQL (so every instance shows the same figures) through the features' public queries. Owns no
 * table.
 */
@ApplicationModule(allowedDependencies = { "coupon", "product", "order", "outbox", "waitingroom", "support :: *" })
package com.example.flashsale.console;

import org.springframework.modulith.ApplicationModule;
