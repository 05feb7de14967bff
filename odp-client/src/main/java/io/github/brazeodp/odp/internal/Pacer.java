package io.github.brazeodp.odp.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Spaces requests of one API evenly so that a client never exceeds a requests-per-second budget.
 *
 * <p>ODP documents budgets but no rate-limit headers, so the client must pace itself. Each caller
 * reserves the next free slot under a lock and then waits outside it, so all threads of one client
 * share the budget without holding the lock while sleeping.
 */
public final class Pacer {
  private final Clock clock;
  private final long intervalNanos;
  private long nextFreeNanos = Long.MIN_VALUE;

  /**
   * Creates a pacer.
   *
   * @param clock time source; tests pass a fake clock
   * @param requestsPerSecond the budget, greater than zero
   */
  public Pacer(Clock clock, double requestsPerSecond) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("requestsPerSecond must be > 0: " + requestsPerSecond);
    }
    this.clock = clock;
    this.intervalNanos = Math.max(1L, Math.round(1_000_000_000d / requestsPerSecond));
  }

  /** Reserves the next slot and returns how long the caller must wait before using it. */
  public synchronized Duration reserve() {
    long now = epochNanos(clock.instant());
    long slot = Math.max(now, nextFreeNanos);
    nextFreeNanos = slot + intervalNanos;
    return Duration.ofNanos(slot - now);
  }

  private static long epochNanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }

  @Override
  public String toString() {
    return "Pacer{intervalNanos=" + intervalNanos + "}";
  }
}
