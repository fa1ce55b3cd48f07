package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every request the load tests send, each in one place with its checks.
 *
 * <ul>
 *   <li>{@link #issue}: the Gatling request fired by the virtual users.
 *   <li>{@link #couponState} / {@link #verifyCouponStock}: admin reads of the coupon after the
 *       rush, as Gatling requests so that a wrong stock fails the run and shows in the report.
 *   <li>{@link Admin}: synchronous admin calls (java.net.http) used in before()/after(), outside
 *       the measured load.
 * </ul>
 */
public final class Endpoints {

  private Endpoints() {}

  /** Session keys the scenario must set before {@link #issue}. */
  public static final String COUPON_ID = "couponId";

  public static final String TOKEN = "token";

  /**
   * {@code POST /api/coupons/{couponId}/issue}. Accepted outcomes: 201 (won), 409 (already issued),
   * 410 (sold out); everything else - 403/404/5xx/... - is a failed request. Every status code seen
   * is recorded in {@link IssueOutcomes} before it is checked.
   */
  public static final HttpRequestActionBuilder issue =
      http("Issue coupon")
          .post("/api/coupons/#{" + COUPON_ID + "}/issue")
          .header("Authorization", session -> Tokens.bearer(session.getString(TOKEN)))
          .check(
              status()
                  .transform(
                      code -> {
                        IssueOutcomes.record(code);
                        return code;
                      })
                  .in(201, 409, 410)
                  .name("issue status in (201, 409, 410)"))
          .checkIf((response, session) -> response.status().code() == 201)
          .then(jmesPath("userCouponId").exists().name("201 has userCouponId"))
          .checkIf((response, session) -> response.status().code() == 409)
          .then(jmesPath("code").is("COUPON_ALREADY_ISSUED").name("409 code"))
          .checkIf((response, session) -> response.status().code() == 410)
          .then(jmesPath("code").is("COUPON_SOLD_OUT").name("410 code"));

  /** Session key holding the admin JWT for the verification requests. */
  public static final String ADMIN_TOKEN = "adminToken";

  /** Session keys the admin requests save the coupon state into. */
  public static final String ISSUED_COUNT = "issuedCount";

  public static final String REMAINING_QUANTITY = "remainingQuantity";

  /**
   * {@code GET /api/admin/coupons/{couponId}} while waiting for issuedCount (MySQL) to settle:
   * saves issuedCount and remainingQuantity into the session.
   */
  public static final HttpRequestActionBuilder couponState =
      http("Admin coupon state")
          .get("/api/admin/coupons/#{" + COUPON_ID + "}")
          .header("Authorization", session -> Tokens.bearer(session.getString(ADMIN_TOKEN)))
          .check(
              status().is(200),
              jmesPath("issuedCount").ofLong().saveAs(ISSUED_COUNT),
              jmesPath("remainingQuantity").ofLong().saveAs(REMAINING_QUANTITY));

  /**
   * Final {@code GET /api/admin/coupons/{couponId}} after the rush, failing (a failed request, so
   * the {@code failedRequests == 0} assertion fails the run and the HTML report shows why) unless:
   *
   * <ul>
   *   <li>issuedCount == expectedWinners (min(users, quantity));
   *   <li>issuedCount == number of 201 answers counted by {@link IssueOutcomes} (so, with the
   *       first rule, exactly expectedWinners answers were 201);
   *   <li>remainingQuantity (Redis) == quantity - number of 201 answers.
   * </ul>
   */
  public static HttpRequestActionBuilder verifyCouponStock(long quantity, long expectedWinners) {
    return http("Verify coupon stock")
        .get("/api/admin/coupons/#{" + COUPON_ID + "}")
        .header("Authorization", session -> Tokens.bearer(session.getString(ADMIN_TOKEN)))
        .check(
            status().is(200),
            jmesPath("issuedCount").ofLong().saveAs(ISSUED_COUNT),
            jmesPath("remainingQuantity").ofLong().saveAs(REMAINING_QUANTITY),
            jmesPath("issuedCount")
                .ofLong()
                .is(expectedWinners)
                .name("issuedCount == min(users, quantity)"),
            jmesPath("issuedCount")
                .ofLong()
                .is(session -> IssueOutcomes.created201())
                .name("issuedCount == number of 201 answers"),
            jmesPath("remainingQuantity")
                .ofLong()
                .is(session -> quantity - IssueOutcomes.created201())
                .name("remainingQuantity == quantity - number of 201 answers"));
  }

  /** Admin API through the JDK HTTP client, for before()/after() (outside the measured load). */
  public static final class Admin {

    private Admin() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Snapshot of {@code GET /api/admin/coupons/{id}}. */
    public record CouponState(
        long id, String code, long totalQuantity, long issuedCount, long remainingQuantity) {}

    /**
     * {@code POST /api/admin/coupons}: a coupon open from now - 1 min to now + 1 h.
     *
     * @return the id of the created coupon
     */
    public static long createCoupon(int quantity) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String code = "RUSH-" + randomSuffix();
      ObjectNode body = JSON.createObjectNode();
      body.put("code", code);
      body.put("name", "Gatling coupon rush " + now);
      body.put("discountAmount", 1000);
      body.put("totalQuantity", quantity);
      body.put("startsAt", now.minus(1, ChronoUnit.MINUTES).toString());
      body.put("endsAt", now.plus(1, ChronoUnit.HOURS).toString());
      body.put("validDays", 7);

      HttpRequest request =
          adminRequest("/api/admin/coupons")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build();
      JsonNode created = send(request, 201);
      JsonNode id = created.get("id");
      if (id == null || !id.canConvertToLong()) {
        throw new IllegalStateException("coupon creation answered without a numeric id: " + created);
      }
      return id.asLong();
    }

    /** {@code GET /api/admin/coupons/{id}}. */
    public static CouponState getCoupon(long couponId) {
      HttpRequest request = adminRequest("/api/admin/coupons/" + couponId).GET().build();
      JsonNode json = send(request, 200);
      return new CouponState(
          json.path("id").asLong(),
          json.path("code").asText(),
          requiredLong(json, "totalQuantity"),
          requiredLong(json, "issuedCount"),
          requiredLong(json, "remainingQuantity"));
    }

    private static long requiredLong(JsonNode json, String field) {
      JsonNode node = json.get(field);
      if (node == null || !node.canConvertToLong()) {
        throw new IllegalStateException("admin coupon answer has no numeric " + field + ": " + json);
      }
      return node.asLong();
    }

    private static HttpRequest.Builder adminRequest(String path) {
      return HttpRequest.newBuilder(URI.create(Config.baseUrl + path))
          .timeout(TIMEOUT)
          .header("Accept", "application/json")
          .header("Authorization", Tokens.bearer(Tokens.admin(Config.adminUserId)));
    }

    private static JsonNode send(HttpRequest request, int expectedStatus) {
      HttpResponse<String> response;
      try {
        response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(
            request.method() + " " + request.uri() + " failed (is the service up?): " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during " + request.uri(), e);
      }
      if (response.statusCode() != expectedStatus) {
        throw new IllegalStateException(
            request.method()
                + " "
                + request.uri()
                + " answered "
                + response.statusCode()
                + " (expected "
                + expectedStatus
                + "): "
                + response.body());
      }
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new IllegalStateException("not JSON from " + request.uri() + ": " + response.body(), e);
      }
    }

    private static String randomSuffix() {
      String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
      StringBuilder sb = new StringBuilder(10);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < 10; i++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return sb.toString();
    }
  }
}
