/**
 * The product catalogue (SPEC sections 2-3): buyers read it through the Redis cache
 * ({@link com.example.flashsale.product.ProductCatalog}); operators create and change products; each
 * product's sellable stock lives in Redis for the order path ({@link com.example.flashsale.product.ProductStock}).
 */
package com.example.flashsale.product;
