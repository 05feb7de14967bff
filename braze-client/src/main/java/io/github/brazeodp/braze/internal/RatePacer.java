package io.github.brazeodp.braze.internal;

import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import okhttp3.Headers;

/**
 * Paces requests per endpoint family: a token bucket sized by the configured budget, plus a pause
 * until {@code X-RateLimit-Reset} once Braze reports {@code X-RateLimit-Remaining: 0}.
 *
 * <p>One pacer is shared by all threads of a client. Permits are reserved under a lock and the wait
 * happens outside it, so concurrent callers queue up in order instead of all waking at once.
 */
public final class RatePacer {
  private final Clock clock;
  private final Sleeper sleeper;
  private final Map<EndpointFamily, Bucket> buckets = new EnumMap<>(EndpointFamily.class);

  public RatePacer(RateLimits limits, Clock clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
    for (EndpointFamily family : EndpointFamily.values()) {
      buckets.put(family, new Bucket(limits.budget(family), clock.millis()));
    }
  }

  /** Blocks until the family may send one more request. */
  public void acquire(EndpointFamily family) {
    long waitMillis = buckets.get(family).reserve(clock.millis());
    if (waitMillis > 0) {
      try {
        sleeper.sleep(Duration.ofMillis(waitMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing " + family, e);
      }
    }
  }

  /** Learns from Braze's rate-limit headers on any response of the family. */
  public void observe(EndpointFamily family, Headers headers) {
    String remaining = headers.get("X-RateLimit-Remaining");
    String reset = headers.get("X-RateLimit-Reset");
    if (remaining == null || reset == null) {
      return;
    }
    try {
      long left = Long.parseLong(remaining.trim());
      long resetMillis = Math.multiplyExact(Long.parseLong(reset.trim()), 1000L);
      if (left <= 0) {
        buckets.get(family).blockUntil(resetMillis);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // A malformed header must not fail a request that Braze already answered.
    }
  }

  private static final class Bucket {
    private final double capacity;
    private final double perMilli;
    private double tokens;
    private long lastMillis;
    private long blockedUntil;

    Bucket(RateLimits.Budget budget, long now) {
      if (budget == null) {
        capacity = Double.POSITIVE_INFINITY;
        perMilli = 0;
      } else {
        capacity = budget.requests();
        perMilli = budget.requests() / (double) budget.per().toMillis();
      }
      tokens = capacity;
      lastMillis = now;
    }

    synchronized void blockUntil(long millis) {
      blockedUntil = Math.max(blockedUntil, millis);
    }

    synchronized long reserve(long now) {
      long serverWait = Math.max(0, blockedUntil - now);
      if (Double.isInfinite(capacity)) {
        return serverWait;
      }
      if (now > lastMillis) {
        tokens = Math.min(capacity, tokens + (now - lastMillis) * perMilli);
        lastMillis = now;
      }
      tokens -= 1;
      long bucketWait = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perMilli);
      return Math.max(serverWait, bucketWait);
    }
  }
}
