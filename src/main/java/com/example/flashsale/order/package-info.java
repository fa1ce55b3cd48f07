/**
 * Orders and payment (SPEC sections 3-4; seeds 000, 001, 004 scenarios 4-1 to 4-5 and 6-1): the
 * idempotent {@code POST /api/orders}, the stock reservation in Redis, the one payment transaction, the
 * compensation of failed orders and {@code GET /api/orders/{id}}.
 */
package com.example.flashsale.order;
