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
 * <p>{@link BrowseAndCharge} holds the parameters of {@link BrowseAndChargeSimulation}.
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
