package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * What a well-behaved client does with the service's load shedding (docs/api.md "Load shedding"): a 503
 * {@code OVERLOADED} with {@code Retry-After} was refused before any work, so the client waits that
 * many seconds (plus up to one second of jitter, so the refused crowd does not come back in one
 * wave) and sends the same request again, with the same Idempotency-Key. Such a 503 is not a failed
 * request; it is counted in {@link #deferred()}. Any other 503, or an {@code OVERLOADED} without
 * {@code Retry-After}, stays a failure. After {@code -DoverloadRetries} (default 30) deferred
 * attempts the last 503 stands and fails the request.
 */
public final class Overload {

  private Overload() {}

  private static final String STATUS = "overload.status";

  private static final String CODE = "overload.code";

  private static final String RETRY_AFTER = "overload.retryAfter";

  private static final String ATTEMPT = "overload.attempt";

  private static final int MAX_RETRIES = Integer.getInteger("overloadRetries", 30);

  private static final AtomicLong deferred = new AtomicLong();

  /** 503 OVERLOADED answers that were waited out and sent again, over the run. */
  public static long deferred() {
    return deferred.get();
  }

  /**
   * The checks a request adds so that {@link #retrying} can see a shed answer: its status, and for
   * a 503 its problem code and {@code Retry-After} (both required).
   */
  static CheckBuilder[] checks() {
    return new CheckBuilder[] {
      status().saveAs(STATUS),
      jmesPath("code").withDefault("none").saveAs(CODE),
      header("Retry-After").optional().saveAs(RETRY_AFTER)
    };
  }

  /** True when the answer just received is a 503 the client may wait out. */
  static boolean shed(Session session) {
    return session.contains(STATUS)
        && session.getInt(STATUS) == 503
        && "OVERLOADED".equals(session.getString(CODE))
        && session.contains(RETRY_AFTER);
  }

  /**
   * {@code request}, sent again after {@code Retry-After} while it is shed, at most {@code
   * overloadRetries} more times. The request's own status check must let a 503 through (see {@link
   * #deferOrRecord}).
   */
  static ChainBuilder retrying(HttpRequestActionBuilder request) {
    return exec(session -> session.remove(STATUS).remove(CODE).remove(RETRY_AFTER).set(ATTEMPT, 0))
        .asLongAs(
            session ->
                session.getInt(ATTEMPT) == 0
                    || (shed(session) && session.getInt(ATTEMPT) <= MAX_RETRIES))
        .on(
            doIfShedWait(),
            exec(
                session ->
                    session
                        .remove(STATUS)
                        .remove(CODE)
                        .remove(RETRY_AFTER)
                        .set(ATTEMPT, session.getInt(ATTEMPT) + 1)),
            exec(request));
  }

  private static ChainBuilder doIfShedWait() {
    return exec(
            session -> {
              if (shed(session)) {
                deferred.incrementAndGet();
              }
              return session;
            })
        .doIf(Overload::shed)
        .then(
            pause(
                session ->
                    Duration.ofMillis(
                        1000L * Long.parseLong(session.getString(RETRY_AFTER).trim())
                            + ThreadLocalRandom.current().nextLong(1000))));
  }

  /** What a status check sees instead of a 503 that {@link #retrying} may still wait out. */
  static final int DEFERRED = -503;

  /**
   * For a request's status check: {@link #DEFERRED} for a 503 while retries remain (its code and
   * {@code Retry-After} are checked by {@link #shedChecks}), otherwise {@code status}, first handed
   * to {@code record}.
   */
  static int deferOrRecord(int status, Session session, IntConsumer record) {
    int seen = deferOrPass(status, session);
    if (seen != DEFERRED) {
      record.accept(status);
    }
    return seen;
  }

  /** {@link #deferOrRecord} for a request whose statuses nobody counts. */
  static int deferOrPass(int status, Session session) {
    boolean retriesLeft = session.contains(ATTEMPT) && session.getInt(ATTEMPT) <= MAX_RETRIES;
    return (status == 503 && retriesLeft) ? DEFERRED : status;
  }

  /** A 503 must be a shed one: code OVERLOADED and a Retry-After header. */
  static CheckBuilder[] shedChecks() {
    return new CheckBuilder[] {
      jmesPath("code").is("OVERLOADED").name("503 code OVERLOADED"),
      header("Retry-After").exists().name("503 has Retry-After")
    };
  }
}
