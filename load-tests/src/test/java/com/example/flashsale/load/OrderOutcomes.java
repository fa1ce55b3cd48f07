package com.example.flashsale.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-run counters of order answers, fed from the checks in {@link Endpoints#placeHotOrder} and
 * {@link Endpoints#placeTailOrder}, and the one paid hot order kept for the idempotent replay.
 *
 * <p>A status is recorded by the status check, except 409, which the code check records once it
 * has read the problem {@code code} (so 409 INSUFFICIENT_STOCK and 409 REQUEST_IN_PROGRESS are told
 * apart). Expected: hot 201 or 409 INSUFFICIENT_STOCK, tail 201; everything else is counted in
 * {@link #other()} (and is also a failed request).
 */
public final class OrderOutcomes {

  private OrderOutcomes() {}

  /** Which order of the virtual user's sequence answered. */
  public enum Kind {
    /** The one order of the hot product (quantity 1, maybe with a coupon). */
    HOT,
    /** An order of random long-tail products. */
    TAIL
  }

  /** A paid order: what its replay must send again, and the order id it must answer with. */
  public record Placed(long userId, String idempotencyKey, String body, long orderId) {}

  private static final AtomicLong hotPlaced = new AtomicLong();
  private static final AtomicLong hotPlacedWithCoupon = new AtomicLong();
  private static final AtomicLong hotSoldOut = new AtomicLong();
  private static final AtomicLong tailPlaced = new AtomicLong();
  private static final AtomicLong other = new AtomicLong();
  private static final Map<String, AtomicLong> otherByOutcome = new ConcurrentHashMap<>();
  private static final AtomicReference<Placed> replayCandidate = new AtomicReference<>();

  /** Records a status; a 409 is left to {@link #recordConflict}, which sees its code. */
  static void record(Kind kind, int status) {
    if (status == 409) {
      return;
    }
    if (status == 201) {
      (kind == Kind.HOT ? hotPlaced : tailPlaced).incrementAndGet();
    } else {
      recordOther(kind + " " + status);
    }
  }

  /** Records a 409 with its problem {@code code} ({@code "none"} when the body has none). */
  static void recordConflict(Kind kind, String code) {
    if (kind == Kind.HOT && "INSUFFICIENT_STOCK".equals(code)) {
      hotSoldOut.incrementAndGet();
    } else {
      recordOther(kind + " 409 " + code);
    }
  }

  /** Counts a hot order paid (201) with a coupon applied. */
  static void recordCouponUsed() {
    hotPlacedWithCoupon.incrementAndGet();
  }

  /** Keeps the first paid hot order seen, for the replay after the rush. */
  static void rememberPlaced(Placed placed) {
    replayCandidate.compareAndSet(null, placed);
  }

  private static void recordOther(String outcome) {
    other.incrementAndGet();
    otherByOutcome.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  /** Hot orders answered 201: the units of the hot product sold (quantity 1 each). */
  public static long hotPlaced() {
    return hotPlaced.get();
  }

  public static long hotPlacedWithCoupon() {
    return hotPlacedWithCoupon.get();
  }

  /** Hot orders answered 409 INSUFFICIENT_STOCK. */
  public static long hotSoldOut() {
    return hotSoldOut.get();
  }

  public static long tailPlaced() {
    return tailPlaced.get();
  }

  /** Answers other than hot 201/409 INSUFFICIENT_STOCK and tail 201 (each a failed request). */
  public static long other() {
    return other.get();
  }

  /** {@link #other()} by outcome, e.g. {@code {TAIL 409 REQUEST_IN_PROGRESS=3, HOT 503=1}}. */
  public static Map<String, Long> otherByOutcome() {
    Map<String, Long> copy = new TreeMap<>();
    otherByOutcome.forEach((outcome, count) -> copy.put(outcome, count.get()));
    return copy;
  }

  public static long answered() {
    return hotPlaced() + hotSoldOut() + tailPlaced() + other();
  }

  /** The first paid hot order, or null if none was paid. */
  public static Placed replayCandidate() {
    return replayCandidate.get();
  }
}
