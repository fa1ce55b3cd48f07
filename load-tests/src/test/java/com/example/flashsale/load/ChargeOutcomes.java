package com.example.flashsale.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-run counters of charge answers, fed from the status check in {@link Endpoints#charge}, and
 * the amount each account must hold afterwards: the sum of its charges answered 200.
 */
public final class ChargeOutcomes {

  private ChargeOutcomes() {}

  private static final AtomicLong charged200 = new AtomicLong();
  private static final AtomicLong inProgress409 = new AtomicLong();
  private static final AtomicLong other = new AtomicLong();
  private static final Map<Long, Long> chargedByAccount = new ConcurrentHashMap<>();

  static void record(int status, long accountId, long amount) {
    switch (status) {
      case 200 -> {
        charged200.incrementAndGet();
        chargedByAccount.merge(accountId, amount, Long::sum);
      }
      case 409 -> inProgress409.incrementAndGet();
      default -> other.incrementAndGet();
    }
  }

  public static long charged200() {
    return charged200.get();
  }

  public static long inProgress409() {
    return inProgress409.get();
  }

  /** Answers with any status other than 200/409 (each one is also a failed request). */
  public static long other() {
    return other.get();
  }

  /** Sum of the account's charges answered 200: its expected balance (accounts start at 0). */
  public static long expectedBalance(long accountId) {
    return chargedByAccount.getOrDefault(accountId, 0L);
  }
}
