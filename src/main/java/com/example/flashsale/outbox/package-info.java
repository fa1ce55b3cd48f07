/**
 * Delivery of the transactional outbox to the data platform (docs/flows.md "After commit: the outbox
 * relay"): features append events with {@link com.example.flashsale.outbox.Outbox} in their own
 * transactions; the relay delivers them with retries and a circuit breaker and tells the
 * {@link com.example.flashsale.outbox.Outbox.DeliveryListener}s; operators list and retry failed events.
 *
 * <p>Owns the table {@code order_events}. Knows no feature.
 */
@ApplicationModule(allowedDependencies = { "support :: *" })
package com.example.flashsale.outbox;

import org.springframework.modulith.ApplicationModule;
