package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The injection profiles, in one place: every simulation injects its virtual users through {@link
 * #steps()}, so {@code -Dprofile=...} means the same shape in each of them. {@link Config} reads
 * the numbers (with each simulation's defaults); this class only turns them into Gatling steps.
 *
 * <ul>
 *   <li>{@code smoke}: {@code vus} virtual users at once (a handful by default).
 *   <li>{@code spike} (the default profile): {@code vus} virtual users arriving evenly within
 *       {@code duration} seconds ({@code rampUsers(vus).during(duration)}), the rush.
 *   <li>{@code ramp-hold}: the arrival rate ramps from 0 to {@code rate} virtual users per second
 *       over {@code rampSeconds}, then holds {@code rate} for {@code duration} seconds.
 *   <li>{@code soak}: a constant {@code rate} virtual users per second for {@code duration} seconds
 *       (a long one, 300 by default).
 * </ul>
 *
 * <p>Every profile is bounded: the number of virtual users it injects ({@link #vus()}, exactly what
 * Gatling will inject, known before the run so that the simulations can create one account per
 * virtual user and compute what they expect) is between 1 and {@link #MAX_VUS}, and virtual users
 * stop arriving after at most {@link #MAX_SECONDS}.
 */
public final class Injection {

  /** Upper bound on the virtual users of one run, any profile. */
  public static final long MAX_VUS = 100_000;

  /** Upper bound on the injection time of one run (ramp + duration), seconds. */
  public static final long MAX_SECONDS = 3_600;

  /** A profile and the properties it reads (besides those of the simulation). */
  public enum Profile {
    SMOKE("smoke", Set.of(Config.VUS)),
    SPIKE("spike", Set.of(Config.VUS, Config.DURATION)),
    RAMP_HOLD("ramp-hold", Set.of(Config.RATE, Config.RAMP_SECONDS, Config.DURATION)),
    SOAK("soak", Set.of(Config.RATE, Config.DURATION));

    /** The {@code -Dprofile} value. */
    public final String label;

    /** The injection properties this profile reads. */
    public final Set<String> reads;

    Profile(String label, Set<String> reads) {
      this.label = label;
      this.reads = reads;
    }

    /** {@code smoke}, {@code spike}, {@code ramp-hold} or {@code soak} (case and _/- ignored). */
    static Profile parse(String value) {
      String normalized = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      for (Profile profile : values()) {
        if (profile.label.equals(normalized)) {
          return profile;
        }
      }
      throw Config.invalid(
          "-D"
              + Config.PROFILE
              + "="
              + value
              + " is not a profile; choose smoke, spike, ramp-hold or soak");
    }
  }

  private final Profile profile;

  private final List<OpenInjectionStep> steps;

  private final long vus;

  private final long seconds;

  private final String shape;

  private Injection(Profile profile, List<OpenInjectionStep> steps, long seconds, String shape) {
    this.profile = profile;
    this.steps = List.copyOf(steps);
    // what Gatling itself computes for these steps (the number of arrivals it will schedule)
    this.vus = steps.stream().mapToLong(step -> step.asScala().users()).sum();
    this.seconds = seconds;
    this.shape = shape;
    if (vus < 1) {
      throw Config.invalid(
          "profile " + profile.label + " (" + shape + ") would inject no virtual user");
    }
    if (vus > MAX_VUS) {
      throw Config.invalid(
          "profile "
              + profile.label
              + " ("
              + shape
              + ") would inject "
              + vus
              + " virtual users, more than the bound of "
              + MAX_VUS);
    }
    if (seconds > MAX_SECONDS) {
      throw Config.invalid(
          "profile "
              + profile.label
              + " ("
              + shape
              + ") would inject for "
              + seconds
              + " s, more than the bound of "
              + MAX_SECONDS
              + " s");
    }
  }

  /** {@code vus} virtual users at once. */
  static Injection smoke(int vus) {
    return new Injection(Profile.SMOKE, List.of(atOnceUsers(vus)), 0, vus + " at once");
  }

  /** {@code vus} virtual users arriving evenly within {@code seconds}. */
  static Injection spike(int vus, int seconds) {
    return new Injection(
        Profile.SPIKE,
        List.of(rampUsers(vus).during(seconds)),
        seconds,
        vus + " within " + seconds + " s");
  }

  /**
   * The rate ramps from 0 to {@code rate}/s over {@code rampSeconds} (no ramp if 0), then holds
   * {@code rate}/s for {@code holdSeconds}.
   */
  static Injection rampHold(double rate, int rampSeconds, int holdSeconds) {
    List<OpenInjectionStep> steps = new ArrayList<>(2);
    if (rampSeconds > 0) {
      steps.add(rampUsersPerSec(0).to(rate).during(rampSeconds));
    }
    steps.add(constantUsersPerSec(rate).during(holdSeconds));
    return new Injection(
        Profile.RAMP_HOLD,
        steps,
        (long) rampSeconds + holdSeconds,
        (rampSeconds > 0 ? "0 to " + rate(rate) + "/s over " + rampSeconds + " s, then " : "")
            + rate(rate)
            + "/s for "
            + holdSeconds
            + " s");
  }

  /** A constant {@code rate}/s for {@code seconds}. */
  static Injection soak(double rate, int seconds) {
    return new Injection(
        Profile.SOAK,
        List.of(constantUsersPerSec(rate).during(seconds)),
        seconds,
        rate(rate) + "/s for " + seconds + " s");
  }

  private static String rate(double rate) {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }

  public Profile profile() {
    return profile;
  }

  /** The steps to pass to {@code injectOpen}. */
  public OpenInjectionStep[] steps() {
    return steps.toArray(OpenInjectionStep[]::new);
  }

  /** Exactly how many virtual users the steps inject (at most {@link #MAX_VUS}). */
  public int vus() {
    return (int) vus;
  }

  /** How long virtual users keep arriving, seconds (0 for smoke). */
  public long seconds() {
    return seconds;
  }

  /** E.g. {@code profile=ramp-hold (0 to 50/s over 30 s, then 50/s for 60 s) vus=3750}. */
  public String describe() {
    return "profile=" + profile.label + " (" + shape + ") vus=" + vus;
  }
}
