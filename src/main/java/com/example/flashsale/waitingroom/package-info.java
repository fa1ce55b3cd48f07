/**
 * Waiting rooms (docs/api.md "Waiting room", docs/flows.md "Waiting room", ADR 0025): an admin puts a coupon event
 * or a product behind a room that lets users through at a fixed number of admissions per second.
 *
 * <p>A user takes a ticket ({@code POST /api/waiting-room/{roomId}/tickets}) and listens to its stream of
 * positions; once admitted the stream hands over a signed, short-lived, single-use admission token that the
 * protected endpoint (the coupon issue, the order of that product) requires while the room is open
 * ({@link com.example.flashsale.waitingroom.AdmissionGate}). Tickets taken before the opening wait in a
 * pre-queue shuffled at the opening; later ones queue in arrival order; a ticket whose holder stops
 * listening for the grace time drops out.
 *
 * <p>The room's record (target, rate, opening time, open or closed) is the table {@code waiting_rooms},
 * owned here; the queue lives in Redis under keys tagged by room ({@code room:{id}:*}), shared by all
 * instances and changed only by Lua scripts, so a restarted instance loses no ticket. Coupons and orders
 * depend on this module; it depends on neither.
 */
@ApplicationModule(allowedDependencies = { "support :: *" })
package com.example.flashsale.waitingroom;

import org.springframework.modulith.ApplicationModule;
