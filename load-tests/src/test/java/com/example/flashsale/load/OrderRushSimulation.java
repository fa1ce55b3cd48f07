package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Order rush: {@code vus} virtual users, each one buyer account created and charged beforehand
 * (so {@code accounts} = {@code vus}), injected by the chosen profile (default spike: all arriving
 * within {@code duration} seconds; see {@link Injection}). Each orders one unit of a hot product of {@code stock} units (a {@code couponShare} of
 * them with a coupon), then places {@code tailOrders} orders of 1-3 random long-tail products
 * (quantity 1-3 each, stock that cannot run out). Every attempt has its own Idempotency-Key.
 *
 * <p>Pass/fail:
 *
 * <ul>
 *   <li>Gatling assertions: no failed request (a hot order may only answer 201 or 409
 *       INSUFFICIENT_STOCK, a long-tail order only 201, each 201 with the right lines and amounts;
 *       any 5xx, 202, 402, 400, 404, 409 REQUEST_IN_PROGRESS, timeout... fails) and global p99
 *       &lt; {@code p99Ms}.
 *   <li>a one-user "Verify order rush" scenario chained after the rush ({@code andThen}): sends
 *       the first paid hot order again with the same Idempotency-Key and body (must answer 201
 *       with the same orderId) and reads it back; then waits until the hot product's admin sales
 *       settle, and its final request fails unless paidOrders == paidQuantity == min(vus, stock)
 *       == hot 201s, stock (MySQL) == sellableStock (Redis) == stock - hot 201s (0 when sold out)
 *       and pendingOrders == 0. The replay came before, so it must not have added an order. A
 *       failed verification is a failed request, so the first assertion fails, Gatling exits
 *       non-zero and {@code mvn gatling:test} fails, with the reason in the HTML report (Errors
 *       table).
 *   <li>after() prints the one-line {@code ORDER RUSH: ...} summary.
 * </ul>
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test \
 *     -Dgatling.simulationClass=com.example.flashsale.load.OrderRushSimulation \
 *     [-Dprofile=smoke|spike|ramp-hold|soak] [-Dvus=1000 -Dduration=10] [-Drate=.. -DrampSeconds=..]
 *     [-Dstock=100 -Dproducts=200 -DtailOrders=2 -DcouponShare=0.2 -Dp99Ms=2000] [-Dsecret=...]
 * </pre>
 */
public class OrderRushSimulation extends Simulation {

  /** A buyer prepared in before(): an account charged with chargePerUser, maybe a coupon. */
  private record Buyer(long userId, Long userCouponId) {}

  /** A long-tail product and its price (KRW). */
  private record TailProduct(long id, long price) {}

  /** Parallel admin/setup calls in before(). */
  private static final int SETUP_THREADS = 8;

  /** Keeps names, coupon codes and Idempotency-Keys of repeated runs apart. */
  private static final String RUN = Endpoints.Admin.randomSuffix();

  /** Set in before(); read by every virtual user. */
  private static volatile long hotProductId = -1;

  private static volatile long couponId = -1;

  private static volatile List<Buyer> buyers = List.of();

  private static volatile List<TailProduct> tailProducts = List.of();

  private static final AtomicInteger nextBuyer = new AtomicInteger();

  private static final AtomicLong nextKey = new AtomicLong();

  private final ScenarioBuilder rush =
      scenario("Order rush")
          .exec(OrderRushSimulation::hotOrder)
          .exec(Overload.retrying(Endpoints.placeHotOrder))
          .repeat(Config.OrderRush.tailOrders)
          .on(exec(OrderRushSimulation::tailOrder).exec(Overload.retrying(Endpoints.placeTailOrder)));

  /**
   * Runs once, after every buyer has finished: the idempotent replay of one paid hot order, then
   * waits (at most {@code settleSeconds}) until the hot product's paidOrders equals the number of
   * hot 201s, nothing is pending and the count stopped moving, then issues the verifying request
   * whose failed checks fail the run.
   */
  private final ScenarioBuilder verify =
      scenario("Verify order rush")
          .exec(
              session ->
                  session
                      .set(Endpoints.PRODUCT_ID, hotProductId)
                      .set(Endpoints.ADMIN_TOKEN, Tokens.admin(Config.adminUserId))
                      .set("settled", false)
                      .set("previousPaid", -1L))
          .doIf(session -> OrderOutcomes.replayCandidate() != null)
          .then(
              exec(OrderRushSimulation::replay)
                  .exec(Endpoints.replayOrder, Endpoints.getOrder)
                  .exec(
                      session -> {
                        replayOk = !session.isFailed();
                        return session.markAsSucceeded();
                      }))
          .asLongAsDuring(
              session -> !session.getBoolean("settled"),
              Duration.ofSeconds(Config.settleSeconds))
          .on(
              pause(Duration.ofMillis(200)),
              exec(Endpoints.salesState)
                  .exec(
                      session -> {
                        if (!session.contains(Endpoints.PAID_ORDERS)
                            || !session.contains(Endpoints.PENDING_ORDERS)) {
                          return session; // request failed; keep polling until the deadline
                        }
                        long paid = session.getLong(Endpoints.PAID_ORDERS);
                        boolean settled =
                            session.getLong(Endpoints.PENDING_ORDERS) == 0
                                && paid == OrderOutcomes.hotPlaced()
                                && paid == session.getLong("previousPaid");
                        return session.set("settled", settled).set("previousPaid", paid);
                      }))
          .exec(
              session ->
                  session
                      .remove(Endpoints.PAID_ORDERS)
                      .remove(Endpoints.PENDING_ORDERS)
                      .markAsSucceeded())
          .exec(
              Endpoints.verifyHotSales(
                  Config.OrderRush.stock, Config.OrderRush.expectedHotWins()))
          .exec(
              session -> {
                sales = salesFrom(session);
                salesOk = !session.isFailed();
                verified = true;
                return session;
              });

  /** Filled by the verify scenario, printed by after(). */
  private static volatile boolean verified;

  private static volatile boolean salesOk;

  private static volatile Boolean replayOk;

  private static volatile Endpoints.Admin.ProductSales sales;

  /** The buyer's hot order: one unit of the hot product, with its coupon if it has one. */
  private static Session hotOrder(Session session) {
    int index = nextBuyer.getAndIncrement();
    if (index >= buyers.size()) {
      // cannot happen: before() creates exactly Injection#vus() buyers, what Gatling injects
      throw new IllegalStateException(
          "virtual user " + (index + 1) + " has no buyer: only " + buyers.size() + " were created");
    }
    Buyer buyer = buyers.get(index);
    String body =
        "{\"items\":[{\"productId\":"
            + hotProductId
            + ",\"quantity\":1}]"
            + (buyer.userCouponId() == null ? "" : ",\"userCouponId\":" + buyer.userCouponId())
            + "}";
    return session
        .set(Endpoints.ACCOUNT_ID, buyer.userId())
        .set(Endpoints.TOKEN, Tokens.user(buyer.userId()))
        .set(Endpoints.PRODUCT_ID, hotProductId)
        .set(Endpoints.ORDER_BODY, body)
        .set(Endpoints.IDEMPOTENCY_KEY, newIdempotencyKey())
        .set(Endpoints.EXPECTED_LINES, 1)
        .set(Endpoints.EXPECTED_TOTAL, Config.OrderRush.HOT_PRICE)
        .set(
            Endpoints.EXPECTED_DISCOUNT,
            buyer.userCouponId() == null
                ? 0L
                : Math.min(Config.OrderRush.COUPON_DISCOUNT, Config.OrderRush.HOT_PRICE));
  }

  /** A long-tail order: 1-3 distinct random long-tail products, quantity 1-3 each, no coupon. */
  private static Session tailOrder(Session session) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<TailProduct> products = tailProducts;
    int lines =
        1 + random.nextInt(Math.min(Config.OrderRush.MAX_TAIL_LINES, products.size()));
    int[] picked = random.ints(0, products.size()).distinct().limit(lines).toArray();
    StringBuilder body = new StringBuilder("{\"items\":[");
    long total = 0;
    for (int i = 0; i < picked.length; i++) {
      TailProduct product = products.get(picked[i]);
      int quantity = 1 + random.nextInt(Config.OrderRush.MAX_TAIL_QUANTITY);
      total += product.price() * quantity;
      body.append(i == 0 ? "" : ",")
          .append("{\"productId\":")
          .append(product.id())
          .append(",\"quantity\":")
          .append(quantity)
          .append('}');
    }
    body.append("]}");
    return session
        .set(Endpoints.ORDER_BODY, body.toString())
        .set(Endpoints.IDEMPOTENCY_KEY, newIdempotencyKey())
        .set(Endpoints.EXPECTED_LINES, lines)
        .set(Endpoints.EXPECTED_TOTAL, total)
        .set(Endpoints.EXPECTED_DISCOUNT, 0L);
  }

  /** The first paid hot order again: its buyer, key, body and the order id it must answer. */
  private static Session replay(Session session) {
    OrderOutcomes.Placed placed = OrderOutcomes.replayCandidate();
    return session
        .set(Endpoints.ACCOUNT_ID, placed.userId())
        .set(Endpoints.TOKEN, Tokens.user(placed.userId()))
        .set(Endpoints.IDEMPOTENCY_KEY, placed.idempotencyKey())
        .set(Endpoints.ORDER_BODY, placed.body())
        .set(Endpoints.ORDER_ID, placed.orderId());
  }

  /** Unique per attempt and per run; printable ASCII, far below 255 characters. */
  private static String newIdempotencyKey() {
    return "gatling-" + RUN + "-" + nextKey.incrementAndGet();
  }

  private static Endpoints.Admin.ProductSales salesFrom(Session session) {
    if (!session.contains(Endpoints.PAID_ORDERS)
        || !session.contains(Endpoints.PAID_QUANTITY)
        || !session.contains(Endpoints.STOCK)
        || !session.contains(Endpoints.PENDING_ORDERS)) {
      return null;
    }
    return new Endpoints.Admin.ProductSales(
        hotProductId,
        session.getLong(Endpoints.STOCK),
        session.contains(Endpoints.SELLABLE_STOCK)
            ? session.getLong(Endpoints.SELLABLE_STOCK)
            : null,
        session.getLong(Endpoints.PAID_ORDERS),
        session.getLong(Endpoints.PAID_QUANTITY),
        session.getLong(Endpoints.PENDING_ORDERS));
  }

  {
    setUp(
            rush.injectOpen(Config.OrderRush.injection.steps())
                .andThen(verify.injectOpen(atOnceUsers(1))))
        .protocols(Endpoints.protocol("order-rush"))
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Config.p99Ms));
  }

  /**
   * Creates the hot product, the long-tail products, the coupon event (quantity = the buyers who
   * get one) and the buyers: each created through the admin API, charged {@code chargePerUser}
   * through the charge API (100,000 KRW at most per charge) and, for the first {@code
   * couponUsers}, issued the coupon through the issue API. The buyers are then shuffled, so coupon
   * holders arrive among the others.
   */
  @Override
  public void before() {
    System.out.println("ORDER RUSH config: " + Config.OrderRush.describe());
    long started = System.nanoTime();
    hotProductId =
        Endpoints.Admin.createProduct(
            "Gatling hot " + RUN, Config.OrderRush.HOT_PRICE, Config.OrderRush.stock);
    tailProducts =
        inParallel(
            Config.OrderRush.products,
            i ->
                new TailProduct(
                    Endpoints.Admin.createProduct(
                        "Gatling tail " + RUN + "-" + i,
                        Config.OrderRush.tailPrice(i),
                        Config.OrderRush.tailStock),
                    Config.OrderRush.tailPrice(i)));
    if (Config.OrderRush.couponUsers > 0) {
      couponId =
          Endpoints.Admin.createCoupon(
              "ORDER-",
              "Gatling order rush ",
              Config.OrderRush.COUPON_DISCOUNT,
              Config.OrderRush.couponUsers);
    }
    List<Buyer> prepared =
        new ArrayList<>(
            inParallel(
                Config.OrderRush.accounts,
                i -> prepareBuyer(i, i < Config.OrderRush.couponUsers)));
    Collections.shuffle(prepared);
    buyers = List.copyOf(prepared);
    System.out.println(
        "ORDER RUSH: created hot product id="
            + hotProductId
            + " stock="
            + Config.OrderRush.stock
            + ", tail product ids "
            + tailProducts.stream().mapToLong(TailProduct::id).min().orElse(-1)
            + ".."
            + tailProducts.stream().mapToLong(TailProduct::id).max().orElse(-1)
            + ", coupon id="
            + couponId
            + ", "
            + buyers.size()
            + " buyers charged "
            + Config.OrderRush.chargePerUser
            + " KRW each ("
            + Config.OrderRush.couponUsers
            + " with a coupon), setup took "
            + Duration.ofNanos(System.nanoTime() - started).toMillis()
            + " ms");
  }

  /** Creates, charges and maybe issues a coupon to buyer {@code i}. */
  private static Buyer prepareBuyer(int i, boolean withCoupon) {
    long userId = Endpoints.Admin.createUser("gatling-order-" + RUN + "-" + i);
    for (long left = Config.OrderRush.chargePerUser; left > 0; ) {
      long amount = Math.min(left, Config.OrderRush.MAX_CHARGE);
      Endpoints.Admin.charge(userId, amount);
      left -= amount;
    }
    Long userCouponId = withCoupon ? Endpoints.Admin.issueCoupon(couponId, userId) : null;
    return new Buyer(userId, userCouponId);
  }

  /** Runs {@code task(0..count-1)} on {@link #SETUP_THREADS} threads; results in index order. */
  private static <T> List<T> inParallel(int count, IntFunction<T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
    try {
      List<Future<T>> futures =
          IntStream.range(0, count).mapToObj(i -> pool.submit(() -> task.apply(i))).toList();
      List<T> results = new ArrayList<>(count);
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new IllegalStateException("setup failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during setup", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Prints the one-line summary. The verdict on the sales and the replay is the "Verify order
   * rush" requests (their failed checks fail the {@code failedRequests == 0} assertion, Gatling
   * exits non-zero and the HTML report is still written). Only if that verification never ran to
   * its end does after() throw, which Gatling reports as a crashed run (non-zero exit, but no HTML
   * report).
   */
  @Override
  public void after() {
    Endpoints.Admin.ProductSales state = sales;
    if (state == null && hotProductId > 0) {
      // verification did not get an answer: read the sales directly for the summary line
      try {
        state = Endpoints.Admin.getSales(hotProductId);
      } catch (RuntimeException e) {
        System.out.println("ORDER RUSH: cannot read the hot product's sales: " + e.getMessage());
      }
    }
    long hot201 = OrderOutcomes.hotPlaced();
    long expected = Config.OrderRush.expectedHotWins();
    long left = Config.OrderRush.stock - hot201;
    boolean ok =
        state != null
            && hot201 == expected
            && state.paidOrders() == hot201
            && state.paidQuantity() == hot201
            && state.stock() == left
            && state.sellableStock() != null
            && state.sellableStock() == left
            && state.pendingOrders() == 0;
    long requests = (long) Config.OrderRush.vus * (1 + Config.OrderRush.tailOrders);
    System.out.println(
        "ORDER RUSH: profile="
            + Config.profile.label
            + " vus="
            + Config.OrderRush.vus
            + " stock="
            + Config.OrderRush.stock
            + " hot201="
            + hot201
            + " hot201WithCoupon="
            + OrderOutcomes.hotPlacedWithCoupon()
            + " hot409="
            + OrderOutcomes.hotSoldOut()
            + " tail201="
            + OrderOutcomes.tailPlaced()
            + " shedAndRetried="
            + Overload.deferred()
            + " other="
            + OrderOutcomes.other()
            + (OrderOutcomes.other() > 0 ? " " + OrderOutcomes.otherByOutcome() : "")
            + " noAnswer="
            + (requests - OrderOutcomes.answered())
            + " paidOrders="
            + (state == null ? "?" : state.paidOrders())
            + " paidQuantity="
            + (state == null ? "?" : state.paidQuantity())
            + " stockLeft="
            + (state == null ? "?" : state.stock())
            + " sellableStock="
            + (state == null ? "?" : state.sellableStock())
            + " pendingOrders="
            + (state == null ? "?" : state.pendingOrders())
            + " hotProductId="
            + hotProductId
            + " expectedHot201="
            + expected
            + " replay="
            + (replayOk == null ? "NOT RUN" : replayOk ? "OK" : "WRONG")
            + " sales="
            + (ok && salesOk ? "OK" : "WRONG"));
    if (!verified) {
      throw new IllegalStateException(
          "ORDER RUSH FAILED: the 'Verify order rush' scenario did not run to its end");
    }
  }
}
