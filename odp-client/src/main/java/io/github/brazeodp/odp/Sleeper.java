package io.github.brazeodp.odp;

import java.time.Duration;

/**
 * Waits for a duration; every wait of the client (retry backoff, pacing, export polling) goes
 * through it, so tests can record waits instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {
  /** The default sleeper, backed by {@link Thread#sleep(long, int)}. */
  Sleeper SYSTEM =
      d -> {
        if (!d.isNegative() && !d.isZero()) {
          Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
      };

  /**
   * Waits for {@code duration}.
   *
   * @param duration how long to wait; zero or negative returns at once
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
