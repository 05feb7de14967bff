package io.github.brazeodp.braze;

import java.time.Duration;

/**
 * Waits for a duration; injected so that tests can record waits instead of sleeping.
 *
 * <p>Every wait of the client (retry backoff, rate pacing, export polling) goes through the sleeper
 * given to {@link BrazeClient.Builder#sleeper(Sleeper)}.
 */
@FunctionalInterface
public interface Sleeper {
  /** Blocks the calling thread for {@code duration}. */
  void sleep(Duration duration) throws InterruptedException;

  /** Returns the sleeper backed by {@link Thread#sleep(long)}. */
  static Sleeper system() {
    return duration -> {
      if (!duration.isNegative() && !duration.isZero()) {
        Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
      }
    };
  }
}
