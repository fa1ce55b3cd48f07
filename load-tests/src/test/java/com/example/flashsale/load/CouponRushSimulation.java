package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.*;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Flash-sale rush: {@code vus} virtual users, each a distinct user id, try once each to grab a
 * coupon of {@code quantity} units, injected by the chosen profile (default spike: all arriving
 * within {@code duration} seconds; see {@link Injection}).
 *
 * <p>Pass/fail:
 *
 * <ul>
 *   <li>Gatling assertions: no failed request (only 201/409/410 accepted; any 5xx, 403, 404,
 *       timeout... fails) and global p99 &lt; {@code p99Ms}.
 *   <li>a one-user "Verify coupon stock" scenario chained after the rush ({@code andThen}): waits
 *       until the admin issuedCount (MySQL) settles, then its request fails unless exactly
 *       min(vus, quantity) answers were 201, issuedCount equals that number and
 *       remainingQuantity (Redis) == quantity - that number. A failed verification is a failed
 *       request, so the first assertion fails, Gatling exits non-zero and {@code mvn gatling:test}
 *       fails, with the reason visible in the HTML report (Errors table).
 *   <li>after() prints the one-line {@code COUPON RUSH: ...} summary.
 * </ul>
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test \
 *     -Dgatling.simulationClass=com.example.flashsale.load.CouponRushSimulation \
 *     [-Dprofile=smoke|spike|ramp-hold|soak] [-Dvus=5000 -Dduration=5] [-Drate=.. -DrampSeconds=..]
 *     [-Dquantity=100 -Dp99Ms=2000] [-Dsecret=...]
 * </pre>
 */
public class CouponRushSimulation extends Simulation {

  /** Set in before(); read by every virtual user. */
  private static volatile long couponId = -1;

  /**
   * Distinct, positive user ids starting at a random offset so that repeated runs (against a
   * database that keeps earlier runs' user_coupons) never reuse users.
   */
  private static final long FIRST_USER_ID =
      1_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);

  private static final AtomicLong nextUserId = new AtomicLong(FIRST_USER_ID);

  private static final Iterator<Map<String, Object>> userIds =
      Stream.generate(() -> Map.<String, Object>of("userId", nextUserId.getAndIncrement()))
          .iterator();

  private final ScenarioBuilder rush =
      scenario("Coupon rush")
          .feed(userIds)
          .exec(
              session ->
                  session
                      .set(Endpoints.COUPON_ID, couponId)
                      .set(Endpoints.TOKEN, Tokens.user(session.getLong("userId"))))
          .exec(Overload.retrying(Endpoints.issue));

  /**
   * Runs once, after every rush user has finished: waits (at most {@code settleSeconds}) until the
   * admin issuedCount equals the number of 201s and stopped moving, then issues the verifying
   * request whose failed checks fail the run.
   */
  private final ScenarioBuilder verify =
      scenario("Verify coupon stock")
          .exec(
              session ->
                  session
                      .set(Endpoints.COUPON_ID, couponId)
                      .set(Endpoints.ADMIN_TOKEN, Tokens.admin(Config.adminUserId))
                      .set("settled", false)
                      .set("previousIssued", -1L))
          .asLongAsDuring(
              session -> !session.getBoolean("settled"),
              Duration.ofSeconds(Config.settleSeconds))
          .on(
              pause(Duration.ofMillis(200)),
              exec(Endpoints.couponState)
                  .exec(
                      session -> {
                        if (!session.contains(Endpoints.ISSUED_COUNT)) {
                          return session; // request failed; keep polling until the deadline
                        }
                        long issued = session.getLong(Endpoints.ISSUED_COUNT);
                        boolean settled =
                            issued == IssueOutcomes.created201()
                                && issued == session.getLong("previousIssued");
                        return session.set("settled", settled).set("previousIssued", issued);
                      }))
          .exec(
              Endpoints.verifyCouponStock(
                  Config.CouponRush.quantity, Config.CouponRush.expectedWinners()))
          .exec(
              session -> {
                if (session.contains(Endpoints.ISSUED_COUNT)) {
                  verifiedIssuedCount = session.getLong(Endpoints.ISSUED_COUNT);
                  verifiedRemaining = session.getLong(Endpoints.REMAINING_QUANTITY);
                }
                verified = true;
                return session;
              });

  /** Filled by the verify scenario, printed by after(). */
  private static volatile boolean verified;

  private static volatile long verifiedIssuedCount = -1;

  private static volatile long verifiedRemaining = -1;

  {
    setUp(
            rush.injectOpen(Config.CouponRush.injection.steps())
                .andThen(verify.injectOpen(atOnceUsers(1))))
        .protocols(Endpoints.protocol("coupon-rush"))
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Config.p99Ms));
  }

  @Override
  public void before() {
    System.out.println("COUPON RUSH config: " + Config.CouponRush.describe());
    couponId = Endpoints.Admin.createCoupon(Config.CouponRush.quantity);
    System.out.println(
        "COUPON RUSH: created coupon id="
            + couponId
            + " quantity="
            + Config.CouponRush.quantity
            + ", user ids from "
            + FIRST_USER_ID);
  }

  /**
   * Prints the one-line summary. The verdict on the stock is the "Verify coupon stock" request
   * (its failed checks fail the {@code failedRequests == 0} assertion, Gatling exits non-zero and
   * the HTML report is still written). Only if that verification never ran at all does after()
   * throw, which Gatling reports as a crashed run (non-zero exit, but no HTML report).
   */
  @Override
  public void after() {
    long created = IssueOutcomes.created201();
    long issued = verifiedIssuedCount;
    long remaining = verifiedRemaining;
    if (!verified || issued < 0) {
      // verification did not get an answer: read the state directly for the summary line
      try {
        Endpoints.Admin.CouponState state = Endpoints.Admin.getCoupon(couponId);
        issued = state.issuedCount();
        remaining = state.remainingQuantity();
      } catch (RuntimeException e) {
        System.out.println("COUPON RUSH: cannot read coupon state: " + e.getMessage());
      }
    }
    long expected = Config.CouponRush.expectedWinners();
    boolean ok =
        created == expected
            && issued == created
            && remaining == Config.CouponRush.quantity - created;
    System.out.println(
        "COUPON RUSH: profile="
            + Config.profile.label
            + " vus="
            + Config.CouponRush.vus
            + " quantity="
            + Config.CouponRush.quantity
            + " created201="
            + created
            + " issuedCount="
            + issued
            + " remaining="
            + remaining
            + " 409="
            + IssueOutcomes.conflict409()
            + " 410="
            + IssueOutcomes.soldOut410()
            + " shedAndRetried="
            + Overload.deferred()
            + " other="
            + IssueOutcomes.other()
            + " noAnswer="
            + (Config.CouponRush.vus - IssueOutcomes.answered())
            + " couponId="
            + couponId
            + " expected201="
            + expected
            + " stock="
            + (ok ? "OK" : "WRONG"));
    if (!verified) {
      throw new IllegalStateException(
          "COUPON RUSH FAILED: the 'Verify coupon stock' scenario did not run to its end");
    }
  }
}
