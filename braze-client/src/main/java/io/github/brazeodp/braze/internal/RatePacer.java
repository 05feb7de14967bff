package io.github.brazeodp.braze.internal;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeWait;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import okhttp3.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces requests per endpoint family: a token bucket sized by the configured budget, plus a pause
 * until {@code X-RateLimit-Reset} once Braze reports {@code X-RateLimit-Remaining: 0}.
 *
 * <p>One pacer is shared by all threads of a client. Permits are reserved under a lock and the wait
 * happens outside it, so concurrent callers queue up in order instead of all waking at once.
 */
public final class RatePacer {
  private static final Logger LOG = LoggerFactory.getLogger(RatePacer.class);

  private final Clock clock;
  private final Sleeper sleeper;
  private final BrazeEventListener listener;
  private final Map<EndpointFamily, Bucket> buckets = new EnumMap<>(EndpointFamily.class);

  /** Creates a pacer that reports each of its waits to {@code listener}. */
  public RatePacer(RateLimits limits, Clock clock, Sleeper sleeper, BrazeEventListener listener) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.listener = listener;
    for (EndpointFamily family : EndpointFamily.values()) {
      buckets.put(family, new Bucket(limits.budget(family), clock.millis()));
    }
  }

  /** Blocks until the family may send one more request to {@code path}, reporting the wait. */
  public void acquire(EndpointFamily family, String path) {
    long[] wait = buckets.get(family).reserve(clock.millis());
    long waitMillis = wait[0];
    if (waitMillis > 0) {
      report(
          listener,
          new BrazeWait(
              path,
              family,
              wait[1] == 1 ? BrazeWait.Reason.RATE_LIMITED : BrazeWait.Reason.PACING,
              Duration.ofMillis(waitMillis)));
      try {
        sleeper.sleep(Duration.ofMillis(waitMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while pacing " + family, e);
      }
    }
  }

  /** Tells {@code listener} of a wait; a listener that throws never stops the wait or the call. */
  static void report(BrazeEventListener listener, BrazeWait wait) {
    try {
      listener.onWait(wait);
    } catch (RuntimeException e) {
      LOG.warn("Braze event listener failed on a wait; the request is unaffected", e);
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

    /**
     * Takes a permit and returns {wait in ms, 1 when Braze's reset decides the wait else 0}: who
     * made the caller wait tells a pause Braze asked for from the client's own pacing.
     */
    synchronized long[] reserve(long now) {
      long serverWait = Math.max(0, blockedUntil - now);
      if (Double.isInfinite(capacity)) {
        return new long[] {serverWait, 1};
      }
      if (now > lastMillis) {
        tokens = Math.min(capacity, tokens + (now - lastMillis) * perMilli);
        lastMillis = now;
      }
      tokens -= 1;
      long bucketWait = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perMilli);
      return new long[] {Math.max(serverWait, bucketWait), serverWait >= bucketWait ? 1 : 0};
    }
  }
}
