/**
 * Delivery of the transactional outbox ({@code order_events}) to the data platform (SPEC section 4
 * "After commit"; seeds 001, 003): the relay, its HTTP client, and the operators' read of failed events.
 */
package com.example.flashsale.outbox;
