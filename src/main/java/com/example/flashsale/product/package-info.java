/**
 * The product catalogue (SPEC sections 2-3). This slice has the admin creation; the catalogue reads,
 * its cache and Redis stock come with the balance/products issue.
 */
package com.example.flashsale.product;
