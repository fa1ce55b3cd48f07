package com.example.flashsale.load;

/**
 * Run parameters, all read from system properties (pass them on the Maven command line with
 * {@code -Dname=value}; the gatling-maven-plugin propagates them to the forked Gatling JVM).
 *
 * <ul>
 *   <li>{@code baseUrl} - service root, default {@code http://127.0.0.1:8080}
 *   <li>{@code secret} - HS256 secret (UTF-8 string) the service validates JWTs with
 *   <li>{@code profile} - {@code spike} (default) or {@code smoke} (10 users)
 *   <li>{@code users} - virtual users in the spike, each one issues once (default 5000)
 *   <li>{@code quantity} - total quantity of the coupon created for the run (default 100)
 *   <li>{@code duration} - ramp duration of the spike in seconds (default 5)
 *   <li>{@code p99Ms} - upper bound (exclusive) for the global 99th percentile, ms (default 2000: on 2 cores the cold Gatling JVM shares the CPU with the service)
 *   <li>{@code shareConnections} - {@code true} pools HTTP connections (default: one per user)
 *   <li>{@code settleSeconds} - how long after() waits for issuedCount to settle (default 10)
 * </ul>
 *
 * <p>{@link BrowseAndCharge} holds the parameters of {@link BrowseAndChargeSimulation}, {@link
 * OrderRush} those of {@link OrderRushSimulation}.
 */
public final class Config {

  private Config() {}

  public static final String DEFAULT_SECRET = "local-dev-secret-change-me-0123456789abcdef";

  public static final String baseUrl =
      stripTrailingSlash(System.getProperty("baseUrl", "http://127.0.0.1:8080"));

  public static final String secret = System.getProperty("secret", DEFAULT_SECRET);

  public static final String profile = System.getProperty("profile", "spike").trim().toLowerCase();

  public static final boolean smoke = "smoke".equals(profile);

  /** Number of virtual users actually injected (smoke forces 10). */
  public static final int users = smoke ? 10 : intProp("users", 5000);

  public static final int quantity = intProp("quantity", 100);

  public static final int durationSeconds = smoke ? 1 : intProp("duration", 5);

  public static final int p99Ms = intProp("p99Ms", 2000);

  public static final int settleSeconds = intProp("settleSeconds", 10);

  /** Pool connections across virtual users instead of one connection each. */
  public static final boolean shareConnections = Boolean.getBoolean("shareConnections");

  /** Admin user id used as {@code sub} of the admin token. */
  public static final long adminUserId = Long.getLong("adminUserId", 1L);

  /** Exactly this many 201 answers are expected: everyone wins while stock lasts. */
  public static int expectedWinners() {
    return Math.min(users, quantity);
  }

  /**
   * {@link BrowseAndChargeSimulation} parameters; {@code baseUrl}, {@code secret}, {@code
   * profile}, {@code p99Ms}, {@code shareConnections} and {@code adminUserId} are shared.
   *
   * <ul>
   *   <li>{@code vus} - virtual users, one browse-and-charge pass each (default 2000; smoke 20)
   *   <li>{@code users} - accounts created in before() and shared by the virtual users (default
   *       200; smoke 5)
   *   <li>{@code products} - products created in before() (default 20)
   *   <li>{@code duration} - ramp duration in seconds (default 20; smoke: all at once)
   * </ul>
   */
  public static final class BrowseAndCharge {

    private BrowseAndCharge() {}

    public static final int vus = smoke ? 20 : intProp("vus", 2000);

    public static final int accounts = smoke ? 5 : intProp("users", 200);

    public static final int products = intProp("products", 20);

    public static final int durationSeconds = smoke ? 1 : intProp("duration", 20);

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return "baseUrl="
          + baseUrl
          + " profile="
          + profile
          + " vus="
          + vus
          + " accounts="
          + accounts
          + " products="
          + products
          + " duration="
          + durationSeconds
          + "s p99Ms="
          + p99Ms
          + " secret="
          + secretLabel();
    }
  }

  /**
   * {@link OrderRushSimulation} parameters; {@code baseUrl}, {@code secret}, {@code profile},
   * {@code p99Ms}, {@code settleSeconds}, {@code shareConnections} and {@code adminUserId} are
   * shared.
   *
   * <ul>
   *   <li>{@code users} - buyers created (and charged) in before(), one virtual user each (default
   *       1000; smoke 10)
   *   <li>{@code stock} - stock of the hot product (default 100; smoke default 5, so that the
   *       smoke run sells out too)
   *   <li>{@code products} - long-tail products created in before() (default 200; smoke 10)
   *   <li>{@code tailOrders} - long-tail orders per buyer after the hot one (default 2; 0 allowed)
   *   <li>{@code couponShare} - fraction of the buyers who get a coupon and use it on the hot
   *       order, 0..1 (default 0.2)
   *   <li>{@code duration} - ramp duration in seconds (default 10; smoke: all at once)
   * </ul>
   *
   * <p>Fixed: the hot product costs {@link #HOT_PRICE}, the coupon takes {@link #COUPON_DISCOUNT}
   * off, long-tail products cost 100..1,000 KRW ({@link #tailPrice}) and have {@link #tailStock}
   * units each (more than the whole run can buy, so a long-tail order can only answer 201), a
   * long-tail order has 1..{@link #MAX_TAIL_LINES} distinct products of quantity 1..{@link
   * #MAX_TAIL_QUANTITY}, and every buyer is charged {@link #chargePerUser} beforehand: enough for
   * the dearest possible sequence of orders, so 402 INSUFFICIENT_BALANCE is never expected.
   */
  public static final class OrderRush {

    private OrderRush() {}

    public static final long HOT_PRICE = 1_000;

    public static final long COUPON_DISCOUNT = 300;

    public static final int MAX_TAIL_LINES = 3;

    public static final int MAX_TAIL_QUANTITY = 3;

    private static final long MAX_TAIL_PRICE = 1_000;

    /** The service's balance cap and largest single charge (SPEC section 3). */
    private static final long BALANCE_CAP = 10_000_000;

    public static final long MAX_CHARGE = 100_000;

    /** The largest stock a product may be created with. */
    private static final long MAX_STOCK = 10_000_000;

    public static final int users = smoke ? 10 : intProp("users", 1000);

    public static final int stock = intProp("stock", smoke ? 5 : 100);

    public static final int products = smoke ? 10 : intProp("products", 200);

    public static final int tailOrders = nonNegativeIntProp("tailOrders", 2);

    public static final double couponShare = fractionProp("couponShare", 0.2);

    public static final int durationSeconds = smoke ? 1 : intProp("duration", 10);

    /** Buyers who get a coupon: round(users * couponShare). */
    public static final int couponUsers = (int) Math.round(users * couponShare);

    /**
     * Units of each long-tail product: every buyer putting the most of one product into every
     * long-tail order ({@code users * tailOrders * MAX_TAIL_QUANTITY}), at least 1,000, at most
     * 10,000,000.
     */
    public static final int tailStock =
        (int)
            Math.min(
                MAX_STOCK, Math.max(1_000L, (long) users * tailOrders * MAX_TAIL_QUANTITY));

    /**
     * What each buyer is charged before the rush: the hot product plus {@code tailOrders} of the
     * dearest long-tail orders, rounded up to 1,000 KRW (a valid charge amount).
     */
    public static final long chargePerUser = chargePerUser();

    /** Price of the long-tail product with index {@code i}: 100, 200, ..., 1,000, 100, ... KRW. */
    public static long tailPrice(int i) {
      return 100L * (1 + i % 10);
    }

    /** Exactly this many hot orders must be paid: everyone wins while stock lasts. */
    public static int expectedHotWins() {
      return Math.min(users, stock);
    }

    private static long chargePerUser() {
      long dearest =
          HOT_PRICE + (long) tailOrders * MAX_TAIL_LINES * MAX_TAIL_QUANTITY * MAX_TAIL_PRICE;
      long charge = (dearest + 999) / 1_000 * 1_000;
      if (charge > BALANCE_CAP) {
        throw new IllegalArgumentException(
            "tailOrders="
                + tailOrders
                + " needs "
                + charge
                + " KRW per buyer, more than the balance cap of "
                + BALANCE_CAP);
      }
      return charge;
    }

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return "baseUrl="
          + baseUrl
          + " profile="
          + profile
          + " users="
          + users
          + " stock="
          + stock
          + " products="
          + products
          + " tailOrders="
          + tailOrders
          + " couponShare="
          + couponShare
          + " couponUsers="
          + couponUsers
          + " duration="
          + durationSeconds
          + "s p99Ms="
          + p99Ms
          + " tailStock="
          + tailStock
          + " chargePerUser="
          + chargePerUser
          + " secret="
          + secretLabel();
    }
  }

  private static int intProp(String name, int defaultValue) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    int parsed = Integer.parseInt(value.trim().replace("_", ""));
    if (parsed <= 0) {
      throw new IllegalArgumentException("system property " + name + " must be > 0: " + value);
    }
    return parsed;
  }

  private static int nonNegativeIntProp(String name, int defaultValue) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    int parsed = Integer.parseInt(value.trim().replace("_", ""));
    if (parsed < 0) {
      throw new IllegalArgumentException("system property " + name + " must be >= 0: " + value);
    }
    return parsed;
  }

  private static double fractionProp(String name, double defaultValue) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    double parsed = Double.parseDouble(value.trim());
    if (!(parsed >= 0.0 && parsed <= 1.0)) {
      throw new IllegalArgumentException(
          "system property " + name + " must be between 0 and 1: " + value);
    }
    return parsed;
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public static String describe() {
    return "baseUrl="
        + baseUrl
        + " profile="
        + profile
        + " users="
        + users
        + " quantity="
        + quantity
        + " duration="
        + durationSeconds
        + "s p99Ms="
        + p99Ms
        + " secret="
        + secretLabel();
  }

  private static String secretLabel() {
    return DEFAULT_SECRET.equals(secret) ? "<default local>" : "<custom>";
  }
}
