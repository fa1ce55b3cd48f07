package com.example.flashsale.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every run parameter, read here and nowhere else, from system properties ({@code -Dname=value}
 * on the Maven command line; the gatling-maven-plugin passes them to the forked Gatling JVM).
 * Each property has one meaning in every simulation (load-tests/README.md has the table):
 *
 * <ul>
 *   <li>{@code baseUrl} - service root; loopback only (127.0.0.0/8, ::1, localhost), default
 *       {@code http://127.0.0.1:8080}
 *   <li>{@code secret} - HS256 secret (UTF-8 string) the service validates JWTs with
 *   <li>{@code profile} - injection profile, {@code smoke}, {@code spike} (default), {@code
 *       ramp-hold} or {@code soak} (see {@link Injection})
 *   <li>{@code vus} - virtual users injected (smoke, spike)
 *   <li>{@code rate} - virtual users arriving per second (ramp-hold: the rate ramped to and held;
 *       soak: the constant rate)
 *   <li>{@code rampSeconds} - ramp-hold: seconds the rate ramps from 0 to {@code rate}
 *   <li>{@code duration} - seconds virtual users arrive at the profile's main rate (spike: the
 *       window all {@code vus} arrive in; ramp-hold: the hold; soak: the whole run)
 *   <li>{@code accounts} - user accounts the simulation creates or uses
 *   <li>{@code quantity} - quantity of the coupon the coupon rush creates
 *   <li>{@code stock} - stock of the order rush's hot product
 *   <li>{@code products} - products created in before() for the virtual users to pick from
 *   <li>{@code tailOrders}, {@code couponShare} - order rush: long-tail orders per buyer, share of
 *       the buyers with a coupon
 *   <li>{@code p99Ms} - upper bound (exclusive) of the global 99th percentile, ms
 *   <li>{@code settleSeconds} - how long the verification waits for the counts to settle
 *   <li>{@code shareConnections} - {@code true} pools HTTP connections (default: one per virtual
 *       user)
 *   <li>{@code adminUserId} - {@code sub} of the admin token
 * </ul>
 *
 * <p>Fail fast, before any request: the retired name {@code users} (it meant virtual users in one
 * simulation and accounts in another), any property above that the simulation or its profile does
 * not read, a value out of range, a non-loopback {@code baseUrl}. The message is printed as {@code
 * LOAD TEST CONFIGURATION ERROR: ...}.
 *
 * <p>{@link CouponRush}, {@link BrowseAndCharge} and {@link OrderRush} hold the parameters of each
 * simulation, with their defaults.
 */
public final class Config {

  private Config() {}

  // ---- property names: one meaning each, in every simulation ----

  public static final String BASE_URL = "baseUrl";
  public static final String SECRET = "secret";
  public static final String PROFILE = "profile";
  public static final String VUS = "vus";
  public static final String RATE = "rate";
  public static final String RAMP_SECONDS = "rampSeconds";
  public static final String DURATION = "duration";
  public static final String ACCOUNTS = "accounts";
  public static final String QUANTITY = "quantity";
  public static final String STOCK = "stock";
  public static final String PRODUCTS = "products";
  public static final String TAIL_ORDERS = "tailOrders";
  public static final String COUPON_SHARE = "couponShare";
  public static final String P99_MS = "p99Ms";
  public static final String SETTLE_SECONDS = "settleSeconds";
  public static final String SHARE_CONNECTIONS = "shareConnections";
  public static final String ADMIN_USER_ID = "adminUserId";
  public static final String ADMISSION_RATE = "admissionRate";

  /** Every property above; one that is set but not read by the run fails it. */
  private static final List<String> ALL =
      List.of(
          BASE_URL,
          SECRET,
          PROFILE,
          VUS,
          RATE,
          RAMP_SECONDS,
          DURATION,
          ACCOUNTS,
          QUANTITY,
          STOCK,
          PRODUCTS,
          TAIL_ORDERS,
          COUPON_SHARE,
          P99_MS,
          SETTLE_SECONDS,
          SHARE_CONNECTIONS,
          ADMIN_USER_ID,
          ADMISSION_RATE);

  /** Read by every simulation in every profile. */
  private static final Set<String> COMMON =
      Set.of(BASE_URL, SECRET, PROFILE, P99_MS, SHARE_CONNECTIONS, ADMIN_USER_ID);

  /**
   * Names no longer read because they meant different things in different simulations: passing
   * one fails the run, so an old command line cannot silently change meaning.
   */
  private static final Map<String, String> RETIRED =
      Map.of(
          "users",
          "it meant virtual users in CouponRushSimulation and OrderRushSimulation but accounts in"
              + " BrowseAndChargeSimulation. Pass -Dvus=N for the virtual users injected (coupon"
              + " rush, order rush: one account each) or -Daccounts=N for the accounts"
              + " BrowseAndChargeSimulation creates. See load-tests/README.md");

  /** First static initializer: nothing else is read if a retired name is passed. */
  @SuppressWarnings("unused")
  private static final boolean RETIRED_REFUSED = refuseRetired();

  public static final String DEFAULT_SECRET = "local-dev-secret-change-me-0123456789abcdef";

  // ---- shared by every simulation ----

  public static final String baseUrl = loopbackUrl(string(BASE_URL, "http://127.0.0.1:8080"));

  public static final String secret = string(SECRET, DEFAULT_SECRET);

  public static final Injection.Profile profile = Injection.Profile.parse(string(PROFILE, "spike"));

  public static final int p99Ms = positiveInt(P99_MS, 2000);

  /** Pool connections across virtual users instead of one connection each. */
  public static final boolean shareConnections = bool(SHARE_CONNECTIONS, false);

  /** Admin user id used as {@code sub} of the admin token. */
  public static final long adminUserId = positiveLong(ADMIN_USER_ID, 1L);

  /** How long the coupon and order verifications wait for the counts to settle, seconds. */
  public static final int settleSeconds = positiveInt(SETTLE_SECONDS, 10);

  // ---- profile defaults shared by every simulation (smoke and spike defaults are per simulation) ----

  private static final double RAMP_HOLD_RATE = 50;
  private static final int RAMP_HOLD_RAMP_SECONDS = 30;
  private static final int RAMP_HOLD_SECONDS = 60;
  private static final double SOAK_RATE = 10;
  private static final int SOAK_SECONDS = 300;

  /**
   * The injection of the chosen profile. Smoke and spike take this simulation's defaults; ramp-hold
   * and soak share theirs.
   */
  private static Injection injection(int smokeVus, int spikeVus, int spikeSeconds) {
    return switch (profile) {
      case SMOKE -> Injection.smoke(positiveInt(VUS, smokeVus));
      case SPIKE -> Injection.spike(positiveInt(VUS, spikeVus), positiveInt(DURATION, spikeSeconds));
      case RAMP_HOLD ->
          Injection.rampHold(
              positiveDouble(RATE, RAMP_HOLD_RATE),
              nonNegativeInt(RAMP_SECONDS, RAMP_HOLD_RAMP_SECONDS),
              positiveInt(DURATION, RAMP_HOLD_SECONDS));
      case SOAK ->
          Injection.soak(positiveDouble(RATE, SOAK_RATE), positiveInt(DURATION, SOAK_SECONDS));
    };
  }

  /**
   * {@link CouponRushSimulation}: every virtual user is a fresh user id (so {@code accounts} is
   * {@code vus}) and claims the coupon once.
   *
   * <ul>
   *   <li>{@code vus} - smoke 10, spike 5000; {@code duration} - spike 5 s
   *   <li>{@code quantity} - coupon quantity (default 100)
   *   <li>{@code settleSeconds} - max wait for issuedCount to settle (default 10)
   * </ul>
   */
  public static final class CouponRush {

    private CouponRush() {}

    private static final String NAME = "CouponRushSimulation";

    @SuppressWarnings("unused")
    private static final boolean CHECKED = requireOnly(NAME, Set.of(ACCOUNTS, QUANTITY, SETTLE_SECONDS));

    public static final Injection injection = injection(10, 5_000, 5);

    /** Virtual users injected, exactly. */
    public static final int vus = injection.vus();

    /** Distinct user ids, one per virtual user. */
    public static final int accounts = onePerVirtualUser(NAME, "its own fresh user id", vus);

    public static final int quantity = positiveInt(QUANTITY, 100);

    /** Exactly this many 201 answers are expected: everyone wins while stock lasts. */
    public static int expectedWinners() {
      return Math.min(vus, quantity);
    }

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return common(injection) + " quantity=" + quantity + " settleSeconds=" + settleSeconds;
    }
  }

  /**
   * {@link OverloadSimulation}: every virtual user is a fresh user id and claims a coupon of ample
   * quantity once (the expensive path: Redis and a MySQL commit), at {@code rate} users/s (the
   * service's measured capacity) for {@code duration} s, then at 3 x {@code rate} for {@code duration} s.
   *
   * <ul>
   *   <li>{@code rate} - capacity in claims/s (default 300)
   *   <li>{@code duration} - seconds per phase (default 20)
   *   <li>{@code settleSeconds} - max wait for issuedCount to settle (default 10)
   * </ul>
   */
  public static final class Overload {

    private Overload() {}

    private static final String NAME = "OverloadSimulation";

    @SuppressWarnings("unused")
    private static final boolean CHECKED = requireOnly(NAME, Set.of(RATE, DURATION, SETTLE_SECONDS));

    public static final double rate = positiveDouble(RATE, 300);

    public static final int duration = positiveInt(DURATION, 20);

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return "baseUrl=" + baseUrl + " rate=" + rate + "/s then " + (3 * rate) + "/s, " + duration
          + " s each, settleSeconds=" + settleSeconds;
    }
  }

  /**
   * {@link WaitingRoomSimulation}: every virtual user is a fresh user id that takes a ticket of a
   * waiting room on a coupon event, listens to it until admitted, and claims the coupon once.
   *
   * <ul>
   *   <li>{@code vus} - smoke 20, spike 10000; {@code duration} - spike 10 s (the room opens half way)
   *   <li>{@code quantity} - coupon quantity (default 1000)
   *   <li>{@code admissionRate} - the room's admissions per second (default 200)
   *   <li>{@code settleSeconds} - max wait for issuedCount to settle (default 10)
   * </ul>
   */
  public static final class WaitingRoom {

    private WaitingRoom() {}

    private static final String NAME = "WaitingRoomSimulation";

    @SuppressWarnings("unused")
    private static final boolean CHECKED =
        requireOnly(NAME, Set.of(ACCOUNTS, QUANTITY, ADMISSION_RATE, SETTLE_SECONDS));

    public static final Injection injection = injection(20, 10_000, 10);

    public static final int vus = injection.vus();

    public static final int accounts = onePerVirtualUser(NAME, "its own fresh user id", vus);

    public static final int quantity = positiveInt(QUANTITY, 1_000);

    public static final int admissionRate = intIn(ADMISSION_RATE, 200, 1, 10_000);

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return common(injection)
          + " quantity="
          + quantity
          + " admissionRate="
          + admissionRate
          + " settleSeconds="
          + settleSeconds;
    }
  }

  /**
   * {@link BrowseAndChargeSimulation}: virtual users share {@code accounts} accounts.
   *
   * <ul>
   *   <li>{@code vus} - smoke 20, spike 2000; {@code duration} - spike 20 s
   *   <li>{@code accounts} - accounts created in before() and shared by the virtual users (default
   *       200; smoke 5)
   *   <li>{@code products} - products created in before() (default 20)
   * </ul>
   */
  public static final class BrowseAndCharge {

    private BrowseAndCharge() {}

    private static final String NAME = "BrowseAndChargeSimulation";

    /** The charge amounts a virtual user picks from, KRW. */
    public static final long[] AMOUNTS = {1_000, 5_000, 10_000};

    /** The service's balance cap (SPEC section 3). */
    private static final long BALANCE_CAP = 10_000_000;

    @SuppressWarnings("unused")
    private static final boolean CHECKED = requireOnly(NAME, Set.of(ACCOUNTS, PRODUCTS));

    public static final Injection injection = injection(20, 2_000, 20);

    public static final int vus = injection.vus();

    public static final int accounts =
        boundedInt(ACCOUNTS, profile == Injection.Profile.SMOKE ? 5 : 200);

    public static final int products = boundedInt(PRODUCTS, 20);

    static {
      // a charge over the cap answers 400 and fails the run: keep the average account far below it
      long largest = AMOUNTS[AMOUNTS.length - 1];
      if ((double) vus * largest / accounts > BALANCE_CAP / 2.0) {
        throw invalid(
            NAME
                + ": "
                + vus
                + " virtual users on "
                + accounts
                + " accounts make about "
                + vus / accounts
                + " charges of up to "
                + largest
                + " KRW per account, more than half the balance cap of "
                + BALANCE_CAP
                + " (a charge over the cap fails the run); raise -D"
                + ACCOUNTS
                + " or inject fewer virtual users");
      }
    }

    /** One line with the effective parameters, printed by before(). */
    public static String describe() {
      return common(injection) + " accounts=" + accounts + " products=" + products;
    }
  }

  /**
   * {@link OrderRushSimulation}: every virtual user is one buyer created and charged in before()
   * (so {@code accounts} is {@code vus}).
   *
   * <ul>
   *   <li>{@code vus} - buyers, one virtual user each: smoke 10, spike 1000; {@code duration} -
   *       spike 10 s
   *   <li>{@code stock} - stock of the hot product (default 100; smoke 5, so that the smoke run
   *       sells out too)
   *   <li>{@code products} - long-tail products created in before() (default 200; smoke 10)
   *   <li>{@code tailOrders} - long-tail orders per buyer after the hot one (default 2; 0 allowed)
   *   <li>{@code couponShare} - fraction of the buyers who get a coupon and use it on the hot
   *       order, 0..1 (default 0.2)
   *   <li>{@code settleSeconds} - max wait for the hot product's sales to settle (default 10)
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

    private static final String NAME = "OrderRushSimulation";

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

    @SuppressWarnings("unused")
    private static final boolean CHECKED =
        requireOnly(
            NAME, Set.of(ACCOUNTS, STOCK, PRODUCTS, TAIL_ORDERS, COUPON_SHARE, SETTLE_SECONDS));

    private static final boolean smoke = profile == Injection.Profile.SMOKE;

    public static final Injection injection = injection(10, 1_000, 10);

    /** Virtual users injected, exactly. */
    public static final int vus = injection.vus();

    /** Buyers created and charged in before(), one per virtual user. */
    public static final int accounts = onePerVirtualUser(NAME, "one buyer created in before()", vus);

    public static final int stock = intIn(STOCK, smoke ? 5 : 100, 1, (int) MAX_STOCK);

    public static final int products = boundedInt(PRODUCTS, smoke ? 10 : 200);

    public static final int tailOrders = nonNegativeInt(TAIL_ORDERS, 2);

    public static final double couponShare = fraction(COUPON_SHARE, 0.2);

    /** Buyers who get a coupon: round(accounts * couponShare). */
    public static final int couponUsers = (int) Math.round(accounts * couponShare);

    /**
     * Units of each long-tail product: every buyer putting the most of one product into every
     * long-tail order ({@code accounts * tailOrders * MAX_TAIL_QUANTITY}), at least 1,000, at most
     * 10,000,000.
     */
    public static final int tailStock =
        (int)
            Math.min(
                MAX_STOCK, Math.max(1_000L, (long) accounts * tailOrders * MAX_TAIL_QUANTITY));

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
      return Math.min(vus, stock);
    }

    private static long chargePerUser() {
      long dearest =
          HOT_PRICE + (long) tailOrders * MAX_TAIL_LINES * MAX_TAIL_QUANTITY * MAX_TAIL_PRICE;
      long charge = (dearest + 999) / 1_000 * 1_000;
      if (charge > BALANCE_CAP) {
        throw invalid(
            "-D"
                + TAIL_ORDERS
                + "="
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
      return common(injection)
          + " accounts="
          + accounts
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
          + " settleSeconds="
          + settleSeconds
          + " tailStock="
          + tailStock
          + " chargePerUser="
          + chargePerUser;
    }
  }

  // ---- reading and checking ----

  /**
   * Prints {@code LOAD TEST CONFIGURATION ERROR: message} and returns the exception to throw (a
   * failure in a static initializer reaches the console wrapped, so the line names it plainly).
   */
  static IllegalArgumentException invalid(String message) {
    System.err.println("LOAD TEST CONFIGURATION ERROR: " + message);
    return new IllegalArgumentException(message);
  }

  private static boolean refuseRetired() {
    for (Map.Entry<String, String> retired : RETIRED.entrySet()) {
      String value = System.getProperty(retired.getKey());
      if (value != null) {
        throw invalid(
            "-D" + retired.getKey() + "=" + value + " is no longer read: " + retired.getValue());
      }
    }
    return true;
  }

  /**
   * Fails if a property of {@link #ALL} is set that neither every simulation, nor this simulation
   * ({@code simulationReads}), nor the chosen profile reads: it would be silently ignored.
   */
  private static boolean requireOnly(String simulation, Set<String> simulationReads) {
    Set<String> reads = new TreeSet<>(COMMON);
    reads.addAll(simulationReads);
    reads.addAll(profile.reads);
    for (String name : ALL) {
      if (isSet(name) && !reads.contains(name)) {
        throw invalid(
            "-D"
                + name
                + "="
                + System.getProperty(name)
                + " is not read by "
                + simulation
                + " with -D"
                + PROFILE
                + "="
                + profile.label
                + profileHint(name)
                + "; it reads "
                + String.join(", ", reads));
      }
    }
    return true;
  }

  private static String profileHint(String name) {
    String profiles =
        Stream.of(Injection.Profile.values())
            .filter(p -> p.reads.contains(name))
            .map(p -> p.label)
            .collect(Collectors.joining(", "));
    return profiles.isEmpty() ? "" : " (" + name + " is read by the profiles " + profiles + ")";
  }

  /**
   * Coupon and order rush: one account per virtual user. A {@code -Daccounts} may only repeat that
   * number; a different one fails.
   */
  private static int onePerVirtualUser(String simulation, String what, int vus) {
    if (isSet(ACCOUNTS)) {
      long accounts = parseLong(ACCOUNTS);
      if (accounts != vus) {
        throw invalid(
            simulation
                + " gives every virtual user "
                + what
                + ", so accounts = vus = "
                + vus
                + " with -D"
                + PROFILE
                + "="
                + profile.label
                + ", not -D"
                + ACCOUNTS
                + "="
                + System.getProperty(ACCOUNTS)
                + "; set the virtual users with -D"
                + VUS
                + " (smoke, spike) or -D"
                + RATE
                + "/-D"
                + DURATION
                + " (ramp-hold, soak)");
      }
    }
    return vus;
  }

  private static boolean isSet(String name) {
    String value = System.getProperty(name);
    return value != null && !value.isBlank();
  }

  private static String string(String name, String defaultValue) {
    return isSet(name) ? System.getProperty(name).trim() : defaultValue;
  }

  private static long parseLong(String name) {
    String value = System.getProperty(name);
    try {
      return Long.parseLong(value.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw invalid("-D" + name + "=" + value + " is not a whole number");
    }
  }

  private static int positiveInt(String name, int defaultValue) {
    return intIn(name, defaultValue, 1, Integer.MAX_VALUE);
  }

  private static int nonNegativeInt(String name, int defaultValue) {
    return intIn(name, defaultValue, 0, Integer.MAX_VALUE);
  }

  /** A positive count of things created in before(): at most {@link Injection#MAX_VUS}. */
  private static int boundedInt(String name, int defaultValue) {
    return intIn(name, defaultValue, 1, (int) Injection.MAX_VUS);
  }

  private static int intIn(String name, int defaultValue, int min, int max) {
    if (!isSet(name)) {
      return defaultValue;
    }
    long parsed = parseLong(name);
    if (parsed < min || parsed > max) {
      throw invalid(
          "-D"
              + name
              + "="
              + System.getProperty(name)
              + " must be between "
              + min
              + " and "
              + max);
    }
    return (int) parsed;
  }

  private static long positiveLong(String name, long defaultValue) {
    if (!isSet(name)) {
      return defaultValue;
    }
    long parsed = parseLong(name);
    if (parsed <= 0) {
      throw invalid("-D" + name + "=" + System.getProperty(name) + " must be > 0");
    }
    return parsed;
  }

  private static double parseDouble(String name) {
    String value = System.getProperty(name);
    try {
      return Double.parseDouble(value.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw invalid("-D" + name + "=" + value + " is not a number");
    }
  }

  private static double positiveDouble(String name, double defaultValue) {
    if (!isSet(name)) {
      return defaultValue;
    }
    double parsed = parseDouble(name);
    if (!(parsed > 0.0) || Double.isInfinite(parsed)) {
      throw invalid("-D" + name + "=" + System.getProperty(name) + " must be > 0");
    }
    return parsed;
  }

  private static double fraction(String name, double defaultValue) {
    if (!isSet(name)) {
      return defaultValue;
    }
    double parsed = parseDouble(name);
    if (!(parsed >= 0.0 && parsed <= 1.0)) {
      throw invalid("-D" + name + "=" + System.getProperty(name) + " must be between 0 and 1");
    }
    return parsed;
  }

  private static boolean bool(String name, boolean defaultValue) {
    if (!isSet(name)) {
      return defaultValue;
    }
    String value = System.getProperty(name).trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid("-D" + name + "=" + System.getProperty(name) + " must be true or false");
    };
  }

  /**
   * The base URL without a trailing slash; fails unless it is http(s) on a loopback address
   * (127.0.0.0/8, ::1) or {@code localhost}: load tests only run against this machine.
   */
  private static String loopbackUrl(String url) {
    String host;
    String scheme;
    try {
      URI uri = new URI(url);
      host = uri.getHost();
      scheme = uri.getScheme();
    } catch (URISyntaxException e) {
      throw invalid("-D" + BASE_URL + "=" + url + " is not a URL: " + e.getMessage());
    }
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || host == null) {
      throw invalid("-D" + BASE_URL + "=" + url + " must be an http(s) URL with a host");
    }
    if (!isLoopback(host)) {
      throw invalid(
          "-D"
              + BASE_URL
              + "="
              + url
              + ": load tests only run against loopback targets (127.0.0.0/8, ::1, localhost)");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    // literals only: a name is not resolved (it could point anywhere)
    boolean ipv4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.]+");
    if (!ipv4 && !ipv6) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The parameters every simulation prints: target, injection, assertion, secret. */
  private static String common(Injection injection) {
    return "baseUrl="
        + baseUrl
        + " "
        + injection.describe()
        + " p99Ms="
        + p99Ms
        + " shareConnections="
        + shareConnections
        + " secret="
        + (DEFAULT_SECRET.equals(secret) ? "<default local>" : "<custom>");
  }
}
