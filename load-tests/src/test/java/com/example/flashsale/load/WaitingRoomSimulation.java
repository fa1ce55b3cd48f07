package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.*;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A waiting room in front of a coupon rush: {@code vus} virtual users (fresh user ids) arrive within
 * {@code duration} seconds (spike; see {@link Injection}), each takes a ticket of a room on a coupon
 * event of {@code quantity} units, listens to its server-sent events until admitted, and claims the
 * coupon once with its admission token. The room admits {@code admissionRate} a second and opens half
 * way through the arrivals, so the first half waits in the pre-queue (shuffled at the opening) and the
 * second half queues in arrival order.
 *
 * <p>Pass/fail (a one-user "Verify waiting room" scenario chained after the rush fails its request
 * unless all hold, so the {@code failedRequests == 0} assertion fails the run):
 *
 * <ul>
 *   <li>no failed request: the ticket answered 201, every stream ended with an admission, every claim
 *       answered 201 or 410 (no 5xx, no 403);
 *   <li>no position went backwards on any stream (the {@code position} events of each ticket,
 *       in order, never rise);
 *   <li>the admissions (their server-side times, carried by each token's {@code expiresAt} minus the
 *       admission life) were made at {@code admissionRate} +-10 %;
 *   <li>exactly min(vus, quantity) coupons issued (MySQL issuedCount and the 201s).
 * </ul>
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test \
 *     -Dgatling.simulationClass=com.example.flashsale.load.WaitingRoomSimulation \
 *     [-Dprofile=smoke|spike] [-Dvus=10000 -Dduration=10] [-DadmissionRate=200 -Dquantity=1000]
 * </pre>
 */
public class WaitingRoomSimulation extends Simulation {

  /** The service's admission life, app.waiting-room.admission-ttl (its default). */
  private static final Duration ADMISSION_TTL = Duration.ofSeconds(60);

  private static volatile long couponId = -1;

  private static volatile long roomId = -1;

  private static volatile Instant opensAt;

  private static final long FIRST_USER_ID =
      2_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);

  private static final AtomicLong nextUserId = new AtomicLong(FIRST_USER_ID);

  private static final Iterator<Map<String, Object>> userIds =
      Stream.generate(() -> Map.<String, Object>of("userId", nextUserId.getAndIncrement()))
          .iterator();

  private static final Pattern POSITION = Pattern.compile("position\\\\?\"\\s*:\\s*(null|\\d+)");

  private static final AtomicLong backwards = new AtomicLong();

  private static final AtomicLong positionEvents = new AtomicLong();

  private static final AtomicLong maxPositionSeen = new AtomicLong();

  private static final ConcurrentLinkedQueue<Long> admittedAtMillis = new ConcurrentLinkedQueue<>();

  private static final AtomicLong claimed201 = new AtomicLong();

  private static final AtomicLong claimed410 = new AtomicLong();

  private static final AtomicLong claimedOther = new AtomicLong();

  private static final AtomicLong maxWaiting = new AtomicLong();

  private static volatile Thread sampler;

  private static volatile String sampleMessage;

  /** The longest a ticket may wait: everyone admitted at the configured rate, plus a margin. */
  private static Duration maxWait() {
    long seconds =
        Config.WaitingRoom.vus / Config.WaitingRoom.admissionRate
            + Config.WaitingRoom.injection.seconds()
            + 60;
    return Duration.ofSeconds(seconds);
  }

  private final ScenarioBuilder crowd =
      scenario("Waiting room crowd")
          .feed(userIds)
          .exec(
              session ->
                  session
                      .set("roomId", roomId)
                      .set(Endpoints.COUPON_ID, couponId)
                      .set(Endpoints.TOKEN, Tokens.user(session.getLong("userId"))))
          .exec(
              Overload.retrying(
                  http("take ticket")
                      .post("/api/waiting-room/#{roomId}/tickets")
                      .header("Authorization", "Bearer #{token}")
                      .check(
                          status()
                              .transformWithSession(
                                  Overload::deferOrPass)
                              .in(201, Overload.DEFERRED)
                              .name("ticket status 201, or 503 OVERLOADED to retry"))
                      .check(Overload.checks())
                      .checkIf((response, session) -> response.status().code() == 503)
                      .then(Overload.shedChecks())
                      .checkIf((response, session) -> response.status().code() == 201)
                      .then(jmesPath("ticketId").ofLong().saveAs("ticketId"))))
          .exitHereIfFailed()
          .exec(
              sse("listen")
                  .get("/api/waiting-room/#{roomId}/tickets/#{ticketId}/events")
                  .header("Authorization", "Bearer #{token}")
                  .await(maxWait())
                  .on(
                      sse.checkMessage("admitted")
                          .matching(substring("admitted"))
                          .check(
                              regex("admissionToken\\\\?\"\\s*:\\s*\\\\?\"([A-Za-z0-9_.-]+)")
                                  .saveAs("admissionToken"),
                              regex("expiresAt\\\\?\"\\s*:\\s*\\\\?\"([0-9TZ:.-]+)")
                                  .saveAs("expiresAt"))))
          // every position event seen before the admission, in order
          .exec(sse.processUnmatchedMessages(WaitingRoomSimulation::positions))
          .exec(sse("close").close())
          .exitHereIfFailed()
          .exec(
              session -> {
                admittedAtMillis.add(
                    Instant.parse(session.getString("expiresAt")).minus(ADMISSION_TTL).toEpochMilli());
                return session;
              })
          // a shed claim (503 OVERLOADED, refused before the token is looked at) is sent again with the
          // same admission token after its Retry-After
          .exec(
              Overload.retrying(
                  http("claim with admission")
                      .post("/api/coupons/#{couponId}/issue")
                      .header("Authorization", "Bearer #{token}")
                      .header("Admission-Token", "#{admissionToken}")
                      .check(
                          status()
                              .transformWithSession(
                                  Overload::deferOrPass)
                              .in(201, 410, Overload.DEFERRED)
                              .saveAs("claimStatus"))
                      .check(Overload.checks())
                      .checkIf((response, session) -> response.status().code() == 503)
                      .then(Overload.shedChecks())))
          .exec(
              session -> {
                String claim = session.contains("claimStatus") ? session.getString("claimStatus") : "";
                (switch (claim) {
                      case "201" -> claimed201;
                      case "410" -> claimed410;
                      default -> claimedOther;
                    })
                    .incrementAndGet();
                return session;
              });

  private static Session positions(
      List<io.gatling.http.action.sse.SseInboundMessage> messages, Session session) {
    long last = Long.MAX_VALUE;
    if (!messages.isEmpty() && sampleMessage == null) {
      sampleMessage = messages.get(0).message();
      System.out.println("WAITING ROOM: a message as Gatling sees it: " + sampleMessage);
    }
    for (io.gatling.http.action.sse.SseInboundMessage message : messages) {
      Matcher matcher = POSITION.matcher(message.message());
      if (!matcher.find() || "null".equals(matcher.group(1))) {
        continue;
      }
      long position = Long.parseLong(matcher.group(1));
      positionEvents.incrementAndGet();
      maxPositionSeen.accumulateAndGet(position, Math::max);
      if (position > last) {
        backwards.incrementAndGet();
      }
      last = position;
    }
    return session;
  }

  /** Admissions a second between the first and the last admission. */
  private static double achievedRate() {
    List<Long> times = new ArrayList<>(admittedAtMillis);
    if (times.size() < 2) {
      return 0;
    }
    long first = times.stream().mapToLong(Long::longValue).min().getAsLong();
    long last = times.stream().mapToLong(Long::longValue).max().getAsLong();
    return (last == first) ? 0 : (times.size() - 1) * 1000.0 / (last - first);
  }

  private static String verdict() {
    long expected = Math.min(Config.WaitingRoom.vus, Config.WaitingRoom.quantity);
    double rate = achievedRate();
    double configured = Config.WaitingRoom.admissionRate;
    List<String> wrong = new ArrayList<>();
    if (backwards.get() != 0) {
      wrong.add(backwards.get() + " positions went backwards");
    }
    if (Config.WaitingRoom.vus > 2 * configured && Math.abs(rate - configured) > 0.1 * configured) {
      wrong.add(String.format("admissions at %.1f/s, configured %d/s", rate, (long) configured));
    }
    if (claimed201.get() != expected) {
      wrong.add(claimed201.get() + " claims won, expected " + expected);
    }
    return wrong.isEmpty() ? "OK" : String.join("; ", wrong);
  }

  private final ScenarioBuilder verify =
      scenario("Verify waiting room")
          .exec(
              session ->
                  session
                      .set(Endpoints.COUPON_ID, couponId)
                      .set(Endpoints.ADMIN_TOKEN, Tokens.admin(Config.adminUserId)))
          .pause(Duration.ofSeconds(2))
          .exec(
              http("verify waiting room")
                  .get("/api/admin/coupons/#{couponId}")
                  .header("Authorization", "Bearer #{adminToken}")
                  .check(
                      status().is(200),
                      jmesPath("issuedCount")
                          .ofLong()
                          .is(
                              (long)
                                  Math.min(Config.WaitingRoom.vus, Config.WaitingRoom.quantity)),
                      bodyString().transform(body -> verdict()).is("OK")));

  {
    setUp(
            crowd
                .injectOpen(Config.WaitingRoom.injection.steps())
                .andThen(verify.injectOpen(atOnceUsers(1))))
        // keep the position events the admission check passes over, for processUnmatchedMessages
        .protocols(Endpoints.protocol("waiting-room").sseUnmatchedInboundMessageBufferSize(10_000))
        .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void before() {
    System.out.println("WAITING ROOM config: " + Config.WaitingRoom.describe());
    couponId =
        Endpoints.Admin.createCoupon("ROOM-", "Gatling waiting room ", 1000, Config.WaitingRoom.quantity);
    // opens half way through the arrivals: the first half waits in the pre-queue
    opensAt = Instant.now().plusSeconds(Math.max(1, Config.WaitingRoom.injection.seconds() / 2));
    roomId = Endpoints.Admin.openCouponRoom(couponId, Config.WaitingRoom.admissionRate, opensAt);
    System.out.println(
        "WAITING ROOM: coupon id=" + couponId + " room id=" + roomId + " opensAt=" + opensAt);
    sampler =
        new Thread(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      maxWaiting.accumulateAndGet(Endpoints.Admin.roomCounts(roomId)[0], Math::max);
                      Thread.sleep(1000);
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      // a slow answer under load: sample again
                    }
                  }
                },
                "waiting-room-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  @Override
  public void after() {
    if (sampler != null) {
      sampler.interrupt();
    }
    long[] counts = {-1, -1};
    try {
      counts = Endpoints.Admin.roomCounts(roomId);
      Endpoints.Admin.closeRoom(roomId);
    } catch (RuntimeException e) {
      System.out.println("WAITING ROOM: cannot read or close the room: " + e.getMessage());
    }
    System.out.println(
        String.format(
            "WAITING ROOM: vus=%d admitted=%d (room says %d) admissionRate configured=%d achieved=%.1f/s"
                + " positionEvents=%d backwards=%d maxPosition=%d maxWaiting=%d claims 201=%d 410=%d"
                + " other=%d shedAndRetried=%d room=%d coupon=%d verdict=%s",
            Config.WaitingRoom.vus,
            admittedAtMillis.size(),
            counts[1],
            Config.WaitingRoom.admissionRate,
            achievedRate(),
            positionEvents.get(),
            backwards.get(),
            maxPositionSeen.get(),
            maxWaiting.get(),
            claimed201.get(),
            claimed410.get(),
            claimedOther.get(),
            Overload.deferred(),
            roomId,
            couponId,
            verdict()));
  }
}
