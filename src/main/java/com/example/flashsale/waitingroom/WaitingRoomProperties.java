package com.example.flashsale.waitingroom;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code app.waiting-room.*}: every setting of the waiting rooms (docs/api.md "Waiting room").
 * @param admissionTtl how long an admission (and its token) lives after the ticket is admitted
 * @param grace how long a ticket stays in the queue without its holder listening to its stream
 * @param paceInterval how often each instance runs the admission step of every open room
 * @param pushInterval how often each instance reads where the tickets of its open streams stand
 * @param refreshInterval how often each instance rereads the open rooms from MySQL (another instance's
 * opening or closing is seen within this)
 * @param heartbeat how often an idle ticket stream sends a comment
 * @param sweepLimit most abandoned or expired tickets one admission step drops
 * @param catchUp how much of the room's rate a late admission step still admits to a waiting line: a
 * step that comes 3 s late admits 3 s worth (up to this), so stalled steps do not slow the line
 * @param tokenSecret the key admission tokens are signed with when no HS256 JWT secret is set; every
 * instance needs the same one
 */
@ConfigurationProperties("app.waiting-room")
record WaitingRoomProperties(@DefaultValue("60s") Duration admissionTtl, @DefaultValue("30s") Duration grace,
		@DefaultValue("250ms") Duration paceInterval, @DefaultValue("1s") Duration pushInterval,
		@DefaultValue("1s") Duration refreshInterval, @DefaultValue("15s") Duration heartbeat,
		@DefaultValue("1000") int sweepLimit, @DefaultValue("5s") Duration catchUp, String tokenSecret) {
}
