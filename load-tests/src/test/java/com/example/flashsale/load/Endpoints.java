package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every request the load tests send, each in one place with its checks.
 *
 * <ul>
 *   <li>{@link #issue}: the Gatling request fired by the virtual users.
 *   <li>{@link #couponState} / {@link #verifyCouponStock}: admin reads of the coupon after the
 *       rush, as Gatling requests so that a wrong stock fails the run and shows in the report.
 *   <li>{@link #listProducts}, {@link #getProduct}, {@link #charge}, {@link #balance}: the
 *       browse-and-charge pass; {@link #ledgerPage} / {@link #verifyBalance}: its per-account
 *       verification, again as Gatling requests.
 *   <li>{@link #placeHotOrder}, {@link #placeTailOrder}: the order rush; {@link #replayOrder},
 *       {@link #getOrder}, {@link #salesState} / {@link #verifyHotSales}: its verification, again
 *       as Gatling requests.
 *   <li>{@link Admin}: synchronous admin calls (java.net.http) used in before()/after(), outside
 *       the measured load, plus the setup calls a buyer makes with its own token (charge, coupon
 *       issue).
 * </ul>
 */
public final class Endpoints {

  private Endpoints() {}

  /**
   * HTTP protocol of both simulations. Default: one connection per virtual user, like real
   * distinct clients; {@code -DshareConnections=true} pools them (lighter on the load generator).
   */
  public static HttpProtocolBuilder protocol(String simulationName) {
    HttpProtocolBuilder protocol =
        http.baseUrl(Config.baseUrl)
            .acceptHeader("application/json")
            .userAgentHeader("flash-sale-gatling/" + simulationName);
    return Config.shareConnections ? protocol.shareConnections() : protocol;
  }

  /** Session keys the scenario must set before {@link #issue}. */
  public static final String COUPON_ID = "couponId";

  public static final String TOKEN = "token";

  private static final Function<Session, String> USER_BEARER =
      session -> Tokens.bearer(session.getString(TOKEN));

  /**
   * {@code POST /api/coupons/{couponId}/issue}. Accepted outcomes: 201 (won), 409 (already issued),
   * 410 (sold out); everything else - 403/404/5xx/... - is a failed request. Every status code seen
   * is recorded in {@link IssueOutcomes} before it is checked.
   */
  public static final HttpRequestActionBuilder issue =
      http("Issue coupon")
          .post("/api/coupons/#{" + COUPON_ID + "}/issue")
          .header("Authorization", USER_BEARER)
          .check(
              status()
                  .transformWithSession(
                      (code, session) -> Overload.deferOrRecord(code, session, IssueOutcomes::record))
                  .in(201, 409, 410, Overload.DEFERRED)
                  .name("issue status in (201, 409, 410), or 503 OVERLOADED to retry"))
          .check(Overload.checks())
          .checkIf((response, session) -> response.status().code() == 503)
          .then(Overload.shedChecks())
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
   *   <li>issuedCount == expectedWinners (min(vus, quantity));
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
                .name("issuedCount == min(vus, quantity)"),
            jmesPath("issuedCount")
                .ofLong()
                .is(session -> IssueOutcomes.created201())
                .name("issuedCount == number of 201 answers"),
            jmesPath("remainingQuantity")
                .ofLong()
                .is(session -> quantity - IssueOutcomes.created201())
                .name("remainingQuantity == quantity - number of 201 answers"));
  }

  /** Session keys the browse-and-charge pass sets, with {@link #TOKEN}, before its requests. */
  public static final String ACCOUNT_ID = "accountId";

  public static final String PRODUCT_ID = "productId";

  public static final String AMOUNT = "amount";

  /** {@code GET /api/products}: 200 with a {@code products} array (maybe empty: it is cached). */
  public static final HttpRequestActionBuilder listProducts =
      http("List products")
          .get("/api/products")
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("type(products)").is("array").name("products is an array"));

  /** {@code GET /api/products/{productId}}: 200 with that id. */
  public static final HttpRequestActionBuilder getProduct =
      http("Get product")
          .get("/api/products/#{" + PRODUCT_ID + "}")
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("id").ofLong().is(session -> session.getLong(PRODUCT_ID)).name("id"));

  /**
   * {@code POST /api/balance/charge {"amount": amount}}. Accepted outcomes: 200 (charged, with a
   * transactionId) and 409 CHARGE_IN_PROGRESS (another virtual user holds the account's lock);
   * anything else is a failed request. Every status seen is recorded in {@link ChargeOutcomes},
   * with the amount of each 200, before it is checked.
   */
  public static final HttpRequestActionBuilder charge =
      http("Charge")
          .post("/api/balance/charge")
          .header("Authorization", USER_BEARER)
          .body(StringBody("{\"amount\":#{" + AMOUNT + "}}"))
          .asJson()
          .check(
              status()
                  .transformWithSession(
                      (code, session) ->
                          Overload.deferOrRecord(
                              code,
                              session,
                              (status) ->
                                  ChargeOutcomes.record(
                                      status,
                                      session.getLong(ACCOUNT_ID),
                                      session.getLong(AMOUNT))))
                  .in(200, 409, Overload.DEFERRED)
                  .name("charge status in (200, 409), or 503 OVERLOADED to retry"))
          .check(Overload.checks())
          .checkIf((response, session) -> response.status().code() == 503)
          .then(Overload.shedChecks())
          .checkIf((response, session) -> response.status().code() == 200)
          .then(jmesPath("transactionId").exists().name("200 has transactionId"))
          .checkIf((response, session) -> response.status().code() == 409)
          .then(jmesPath("code").is("CHARGE_IN_PROGRESS").name("409 code"));

  /** {@code GET /api/balance}: 200, for the token's user, with a numeric balance. */
  public static final HttpRequestActionBuilder balance =
      http("Get balance")
          .get("/api/balance")
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("to_string(userId)")
                  .is(session -> String.valueOf(session.getLong(ACCOUNT_ID)))
                  .name("userId == token sub"),
              jmesPath("balance").ofLong().exists());

  /** Session keys of the ledger walk: the cursor of the page to read and the one it answered. */
  public static final String CURSOR = "cursor";

  public static final String NEXT_CURSOR = "nextCursor";

  /** Sum of the amounts of the page just read. */
  public static final String PAGE_SUM = "pageSum";

  /** Sum of the amounts of all pages read so far; {@link #verifyBalance} compares it. */
  public static final String LEDGER_SUM = "ledgerSum";

  /** Small, so that keyset paging is exercised even with a handful of charges per account. */
  private static final int LEDGER_PAGE_SIZE = 5;

  /**
   * {@code GET /api/balance/transactions?size=5[&cursor=#{cursor}]}: fails unless every row is a
   * COMPLETED CHARGE and a non-null {@code nextCursor} is below the cursor sent (keyset paging,
   * newest first, so a broken cursor cannot loop forever); saves the page's amount sum into {@link
   * #PAGE_SUM} and a non-null {@code nextCursor} into {@link #NEXT_CURSOR}.
   */
  public static final HttpRequestActionBuilder ledgerPage =
      http("Verify ledger page")
          .get(
              session ->
                  "/api/balance/transactions?size="
                      + LEDGER_PAGE_SIZE
                      + (session.contains(CURSOR) ? "&cursor=" + session.getLong(CURSOR) : ""))
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("type(transactions)").is("array").name("transactions is an array"),
              jmesPath("length(transactions[?type != 'CHARGE' || status != 'COMPLETED'])")
                  .ofInt()
                  .is(0)
                  .name("every ledger row is CHARGE/COMPLETED"),
              jmesPath("sum(transactions[*].amount)").ofLong().saveAs(PAGE_SUM),
              jmesPath("nextCursor")
                  .ofLong()
                  .withDefault(0L)
                  .lt(s -> s.contains(CURSOR) ? s.getLong(CURSOR) : Long.MAX_VALUE)
                  .name("nextCursor < cursor"),
              jmesPath("nextCursor").ofLong().optional().saveAs(NEXT_CURSOR));

  /**
   * Final {@code GET /api/balance} of an account after the load, failing unless the balance equals
   * the sum of its charges answered 200 ({@link ChargeOutcomes#expectedBalance}) and the sum of
   * its ledger rows ({@link #LEDGER_SUM}).
   */
  public static final HttpRequestActionBuilder verifyBalance =
      http("Verify balance")
          .get("/api/balance")
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("balance")
                  .ofLong()
                  .is(session -> ChargeOutcomes.expectedBalance(session.getLong(ACCOUNT_ID)))
                  .name("balance == sum of the charges answered 200"),
              jmesPath("balance")
                  .ofLong()
                  .is(session -> session.getLong(LEDGER_SUM))
                  .name("balance == sum of the ledger rows"));

  /**
   * Session keys an order request needs, with {@link #TOKEN} and {@link #ACCOUNT_ID} (the buyer):
   * the exact JSON body, the Idempotency-Key of this attempt, and what a 201 must answer - the
   * number of lines, totalAmount and discountAmount. The hot order also needs {@link #PRODUCT_ID}.
   */
  public static final String ORDER_BODY = "orderBody";

  public static final String IDEMPOTENCY_KEY = "idempotencyKey";

  public static final String EXPECTED_LINES = "expectedLines";

  public static final String EXPECTED_TOTAL = "expectedTotal";

  public static final String EXPECTED_DISCOUNT = "expectedDiscount";

  /** Session key of the order the replay and {@link #getOrder} refer to. */
  public static final String ORDER_ID = "orderId";

  private static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  /** {@code POST /api/orders} with the session's body and Idempotency-Key, checks still to add. */
  private static HttpRequestActionBuilder postOrder(String name) {
    return http(name)
        .post("/api/orders")
        .header("Authorization", USER_BEARER)
        .header(IDEMPOTENCY_KEY_HEADER, session -> session.getString(IDEMPOTENCY_KEY))
        .body(StringBody(session -> session.getString(ORDER_BODY)))
        .asJson();
  }

  /** The status check of an order: records the status in {@link OrderOutcomes} first. */
  private static CheckBuilder.Final orderStatus(OrderOutcomes.Kind kind, Integer... accepted) {
    Integer[] orDeferred = Stream.concat(Stream.of(accepted), Stream.of(Overload.DEFERRED))
        .toArray(Integer[]::new);
    return status()
        .transformWithSession(
            (code, session) ->
                Overload.deferOrRecord(code, session, (status) -> OrderOutcomes.record(kind, status)))
        .in(orDeferred)
        .name(
            kind.name().toLowerCase(Locale.ROOT)
                + " order status in ("
                + Stream.of(accepted).map(String::valueOf).collect(Collectors.joining(", "))
                + "), or 503 OVERLOADED to retry");
  }

  /**
   * The problem {@code code} of a 409 ({@code "none"} if the body has none), recorded in {@link
   * OrderOutcomes} before it is checked.
   */
  private static CheckBuilder.Validate<String> conflictCode(OrderOutcomes.Kind kind) {
    return jmesPath("code")
        .withDefault("none")
        .transform(
            code -> {
              OrderOutcomes.recordConflict(kind, code);
              return code;
            });
  }

  /** What every 201 of a new order must say: PAID, its lines and its amounts. */
  private static CheckBuilder[] paidOrderChecks() {
    return new CheckBuilder[] {
      jmesPath("status").is("PAID").name("201 status PAID"),
      jmesPath("orderId").ofLong().saveAs(ORDER_ID),
      jmesPath("length(items)")
          .ofInt()
          .is(session -> session.getInt(EXPECTED_LINES))
          .name("201 has one item per line sent"),
      jmesPath("totalAmount")
          .ofLong()
          .is(session -> session.getLong(EXPECTED_TOTAL))
          .name("totalAmount == sum of quantity * price"),
      jmesPath("discountAmount")
          .ofLong()
          .is(session -> session.getLong(EXPECTED_DISCOUNT))
          .name("discountAmount == the coupon's discount (0 without one)"),
      jmesPath("paidAmount")
          .ofLong()
          .is(session -> session.getLong(EXPECTED_TOTAL) - session.getLong(EXPECTED_DISCOUNT))
          .name("paidAmount == totalAmount - discountAmount")
    };
  }

  /**
   * {@code POST /api/orders} of one unit of the hot product ({@link #PRODUCT_ID}), with the
   * buyer's coupon if it has one. Accepted outcomes: 201 (paid; the amounts and the line are
   * checked) and 409 INSUFFICIENT_STOCK (sold out); anything else - 409 REQUEST_IN_PROGRESS, 402,
   * 400, 404, 202 PENDING, 5xx, a timeout - is a failed request. Every answer is recorded in {@link
   * OrderOutcomes}; the first paid one is kept there for the replay.
   */
  public static final HttpRequestActionBuilder placeHotOrder =
      postOrder("Order hot product")
          .check(orderStatus(OrderOutcomes.Kind.HOT, 201, 409))
          .check(Overload.checks())
          .checkIf((response, session) -> response.status().code() == 503)
          .then(Overload.shedChecks())
          .checkIf((response, session) -> response.status().code() == 201)
          .then(paidOrderChecks())
          .checkIf((response, session) -> response.status().code() == 201)
          .then(
              jmesPath("items[0].productId")
                  .ofLong()
                  .is(session -> session.getLong(PRODUCT_ID))
                  .name("201 line is the hot product"),
              jmesPath("items[0].quantity").ofInt().is(1).name("201 line quantity 1"),
              jmesPath("items[0].unitPrice")
                  .ofLong()
                  .is(Config.OrderRush.HOT_PRICE)
                  .name("201 unitPrice == hot price"),
              jmesPath("orderId")
                  .ofLong()
                  .transformWithSession(
                      (orderId, session) -> {
                        if (session.getLong(EXPECTED_DISCOUNT) > 0) {
                          OrderOutcomes.recordCouponUsed();
                        }
                        OrderOutcomes.rememberPlaced(
                            new OrderOutcomes.Placed(
                                session.getLong(ACCOUNT_ID),
                                session.getString(IDEMPOTENCY_KEY),
                                session.getString(ORDER_BODY),
                                orderId));
                        return orderId;
                      })
                  .exists())
          .checkIf((response, session) -> response.status().code() == 409)
          .then(
              conflictCode(OrderOutcomes.Kind.HOT)
                  .is("INSUFFICIENT_STOCK")
                  .name("hot 409 code INSUFFICIENT_STOCK"));

  /**
   * {@code POST /api/orders} of long-tail products (stock that cannot run out, no coupon): only 201
   * with the right lines and amounts is accepted; every answer is recorded in {@link
   * OrderOutcomes}, a 409 with its code (Gatling evaluates every check, so the code is read even
   * though the status check has already failed the request).
   */
  public static final HttpRequestActionBuilder placeTailOrder =
      postOrder("Order tail products")
          .check(orderStatus(OrderOutcomes.Kind.TAIL, 201))
          .check(Overload.checks())
          .checkIf((response, session) -> response.status().code() == 503)
          .then(Overload.shedChecks())
          .checkIf((response, session) -> response.status().code() == 201)
          .then(paidOrderChecks())
          .checkIf((response, session) -> response.status().code() == 409)
          .then(conflictCode(OrderOutcomes.Kind.TAIL).exists());

  /**
   * The paid hot order sent again with the same Idempotency-Key and body (SPEC section 3): must
   * answer the first response again, 201 with the same {@link #ORDER_ID}, and create nothing (the
   * sales check after it would count a second order).
   */
  public static final HttpRequestActionBuilder replayOrder =
      postOrder("Replay order")
          .check(
              status().is(201).name("replay answers 201 like the first time"),
              jmesPath("orderId")
                  .ofLong()
                  .is(session -> session.getLong(ORDER_ID))
                  .name("replay answers the same orderId"),
              jmesPath("status").is("PAID").name("replay status PAID"));

  /** {@code GET /api/orders/{orderId}} by its buyer: 200, that order, PAID. */
  public static final HttpRequestActionBuilder getOrder =
      http("Get order")
          .get("/api/orders/#{" + ORDER_ID + "}")
          .header("Authorization", USER_BEARER)
          .check(
              status().is(200),
              jmesPath("orderId").ofLong().is(session -> session.getLong(ORDER_ID)).name("orderId"),
              jmesPath("status").is("PAID").name("order status PAID"));

  /** Session keys the sales requests save the product's sales into. */
  public static final String PAID_ORDERS = "paidOrders";

  public static final String PAID_QUANTITY = "paidQuantity";

  public static final String STOCK = "stock";

  public static final String SELLABLE_STOCK = "sellableStock";

  public static final String PENDING_ORDERS = "pendingOrders";

  /**
   * {@code GET /api/admin/products/{productId}/sales} while waiting for the orders to settle: saves
   * paidOrders and pendingOrders into the session.
   */
  public static final HttpRequestActionBuilder salesState =
      http("Admin product sales")
          .get("/api/admin/products/#{" + PRODUCT_ID + "}/sales")
          .header("Authorization", session -> Tokens.bearer(session.getString(ADMIN_TOKEN)))
          .check(
              status().is(200),
              jmesPath("paidOrders").ofLong().saveAs(PAID_ORDERS),
              jmesPath("pendingOrders").ofLong().saveAs(PENDING_ORDERS));

  /**
   * Final {@code GET /api/admin/products/{productId}/sales} of the hot product after the rush,
   * failing (a failed request, so the {@code failedRequests == 0} assertion fails the run and the
   * HTML report shows why) unless, with n = the hot orders answered 201 ({@link OrderOutcomes}):
   *
   * <ul>
   *   <li>paidOrders == expectedWins (min(vus, stock)) == n, and paidQuantity == n (quantity 1
   *       each);
   *   <li>stock (MySQL) == initialStock - n and sellableStock (Redis) == initialStock - n (both 0
   *       when the product sold out);
   *   <li>pendingOrders == 0.
   * </ul>
   *
   * Every field is saved into the session first, for the summary line.
   */
  public static HttpRequestActionBuilder verifyHotSales(long initialStock, long expectedWins) {
    return http("Verify hot product sales")
        .get("/api/admin/products/#{" + PRODUCT_ID + "}/sales")
        .header("Authorization", session -> Tokens.bearer(session.getString(ADMIN_TOKEN)))
        .check(
            status().is(200),
            jmesPath("paidOrders").ofLong().optional().saveAs(PAID_ORDERS),
            jmesPath("paidQuantity").ofLong().optional().saveAs(PAID_QUANTITY),
            jmesPath("stock").ofLong().optional().saveAs(STOCK),
            jmesPath("sellableStock").ofLong().optional().saveAs(SELLABLE_STOCK),
            jmesPath("pendingOrders").ofLong().optional().saveAs(PENDING_ORDERS),
            jmesPath("productId")
                .ofLong()
                .is(session -> session.getLong(PRODUCT_ID))
                .name("productId"),
            jmesPath("paidOrders")
                .ofLong()
                .is(expectedWins)
                .name("paidOrders == min(vus, stock)"),
            jmesPath("paidOrders")
                .ofLong()
                .is(session -> OrderOutcomes.hotPlaced())
                .name("paidOrders == number of hot 201 answers"),
            jmesPath("paidQuantity")
                .ofLong()
                .is(session -> OrderOutcomes.hotPlaced())
                .name("paidQuantity == number of hot 201 answers"),
            jmesPath("stock")
                .ofLong()
                .is(session -> initialStock - OrderOutcomes.hotPlaced())
                .name("stock (MySQL) == initial stock - hot 201 answers"),
            jmesPath("sellableStock")
                .ofLong()
                .is(session -> initialStock - OrderOutcomes.hotPlaced())
                .name("sellableStock (Redis) == initial stock - hot 201 answers"),
            jmesPath("pendingOrders").ofLong().is(0L).name("pendingOrders == 0"));
  }

  /**
   * Admin API through the JDK HTTP client, for before()/after() (outside the measured load), plus
   * the setup calls a user makes with its own token ({@link #charge}, {@link #issueCoupon}).
   */
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

    /** Snapshot of {@code GET /api/admin/products/{id}/sales}; sellableStock may be null. */
    public record ProductSales(
        long productId,
        long stock,
        Long sellableStock,
        long paidOrders,
        long paidQuantity,
        long pendingOrders) {}

    /**
     * {@code POST /api/admin/coupons}: a coupon open from now - 1 min to now + 1 h.
     *
     * @return the id of the created coupon
     */
    public static long createCoupon(int quantity) {
      return createCoupon("RUSH-", "Gatling coupon rush ", 1000, quantity);
    }

    /**
     * {@code POST /api/admin/coupons}: a coupon of {@code discountAmount} KRW, code {@code
     * codePrefix} + a random suffix, open from now - 1 min to now + 1 h, valid 7 days.
     *
     * @return the id of the created coupon
     */
    public static long createCoupon(
        String codePrefix, String namePrefix, long discountAmount, int quantity) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String code = codePrefix + randomSuffix();
      ObjectNode body = JSON.createObjectNode();
      body.put("code", code);
      body.put("name", namePrefix + now);
      body.put("discountAmount", discountAmount);
      body.put("totalQuantity", quantity);
      body.put("startsAt", now.minus(1, ChronoUnit.MINUTES).toString());
      body.put("endsAt", now.plus(1, ChronoUnit.HOURS).toString());
      body.put("validDays", 7);
      return create("/api/admin/coupons", body);
    }

    /**
     * {@code POST /api/admin/users}: a user with a zero balance.
     *
     * @return the id of the created user
     */
    public static long createUser(String name) {
      ObjectNode body = JSON.createObjectNode();
      body.put("name", name);
      return create("/api/admin/users", body);
    }

    /**
     * {@code POST /api/admin/products}.
     *
     * @return the id of the created product
     */
    public static long createProduct(String name, long price, int stock) {
      ObjectNode body = JSON.createObjectNode();
      body.put("name", name);
      body.put("price", price);
      body.put("stock", stock);
      return create("/api/admin/products", body);
    }

    /**
     * {@code POST /api/balance/charge {"amount": amount}} as user {@code userId} (its own token):
     * expects 200.
     */
    public static void charge(long userId, long amount) {
      ObjectNode body = JSON.createObjectNode();
      body.put("amount", amount);
      send(post("/api/balance/charge", Tokens.user(userId), body), 200);
    }

    /**
     * {@code POST /api/coupons/{couponId}/issue} as user {@code userId} (its own token): expects
     * 201.
     *
     * @return the userCouponId of the issued coupon
     */
    public static long issueCoupon(long couponId, long userId) {
      HttpRequest request =
          request("/api/coupons/" + couponId + "/issue", Tokens.user(userId))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build();
      return requiredLong(send(request, 201), "userCouponId");
    }

    /** {@code GET /api/admin/products/{id}/sales}. */
    public static ProductSales getSales(long productId) {
      HttpRequest request =
          adminRequest("/api/admin/products/" + productId + "/sales").GET().build();
      JsonNode json = send(request, 200);
      JsonNode sellable = json.get("sellableStock");
      return new ProductSales(
          requiredLong(json, "productId"),
          requiredLong(json, "stock"),
          sellable == null || !sellable.canConvertToLong() ? null : sellable.asLong(),
          requiredLong(json, "paidOrders"),
          requiredLong(json, "paidQuantity"),
          requiredLong(json, "pendingOrders"));
    }

    /** Random 10-character suffix that keeps names and codes of repeated runs apart. */
    public static String randomSuffix() {
      String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
      StringBuilder sb = new StringBuilder(10);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < 10; i++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return sb.toString();
    }

    /** POSTs {@code body} to an admin collection, expects 201 and returns the numeric id. */
    private static long create(String path, ObjectNode body) {
      JsonNode created = send(post(path, Tokens.admin(Config.adminUserId), body), 201);
      JsonNode id = created.get("id");
      if (id == null || !id.canConvertToLong()) {
        throw new IllegalStateException(
            "POST " + path + " answered without a numeric id: " + created);
      }
      return id.asLong();
    }

    /**
     * {@code POST /api/admin/waiting-rooms}: a room on coupon event {@code couponId} admitting
     * {@code admissionsPerSecond} from {@code opensAt}.
     *
     * @return the room's id
     */
    public static long openCouponRoom(long couponId, int admissionsPerSecond, Instant opensAt) {
      ObjectNode body = JSON.createObjectNode();
      body.put("targetType", "COUPON");
      body.put("targetId", couponId);
      body.put("admissionsPerSecond", admissionsPerSecond);
      body.put("opensAt", opensAt.toString());
      JsonNode room = send(post("/api/admin/waiting-rooms", Tokens.admin(Config.adminUserId), body), 201);
      return requiredLong(room, "roomId");
    }

    /** {@code GET /api/admin/waiting-rooms/{id}}: {waiting, admitted} while open. */
    public static long[] roomCounts(long roomId) {
      JsonNode json = send(adminRequest("/api/admin/waiting-rooms/" + roomId).GET().build(), 200);
      return new long[] {json.path("waiting").asLong(-1), json.path("admitted").asLong(-1)};
    }

    /** {@code DELETE /api/admin/waiting-rooms/{id}}. */
    public static void closeRoom(long roomId) {
      send(adminRequest("/api/admin/waiting-rooms/" + roomId).DELETE().build(), 200);
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
        throw new IllegalStateException("answer has no numeric " + field + ": " + json);
      }
      return node.asLong();
    }

    private static HttpRequest.Builder adminRequest(String path) {
      return request(path, Tokens.admin(Config.adminUserId));
    }

    private static HttpRequest.Builder request(String path, String token) {
      return HttpRequest.newBuilder(URI.create(Config.baseUrl + path))
          .timeout(TIMEOUT)
          .header("Accept", "application/json")
          .header("Authorization", Tokens.bearer(token));
    }

    private static HttpRequest post(String path, String token, ObjectNode body) {
      return request(path, token)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
          .build();
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
  }
}
