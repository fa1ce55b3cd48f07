package com.example.flashsale.load;

import java.util.concurrent.atomic.AtomicLong;

/** Per-run counters of issue answers by status, fed from the check in {@link Endpoints#issue}. */
public final class IssueOutcomes {

  private IssueOutcomes() {}

  private static final AtomicLong created201 = new AtomicLong();
  private static final AtomicLong conflict409 = new AtomicLong();
  private static final AtomicLong soldOut410 = new AtomicLong();
  private static final AtomicLong other = new AtomicLong();

  static void record(int status) {
    switch (status) {
      case 201 -> created201.incrementAndGet();
      case 409 -> conflict409.incrementAndGet();
      case 410 -> soldOut410.incrementAndGet();
      default -> other.incrementAndGet();
    }
  }

  public static long created201() {
    return created201.get();
  }

  public static long conflict409() {
    return conflict409.get();
  }

  public static long soldOut410() {
    return soldOut410.get();
  }

  /** Answers with any status other than 201/409/410 (each one is also a failed request). */
  public static long other() {
    return other.get();
  }

  public static long answered() {
    return created201() + conflict409() + soldOut410() + other();
  }
}
