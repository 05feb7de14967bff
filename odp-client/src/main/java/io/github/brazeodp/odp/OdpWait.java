package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.Objects;

/**
 * One wait of the client before an attempt, as reported to {@link
 * OdpEventListener#onWait(OdpWait)}: rate pacing or a retry backoff.
 *
 * @param endpoint the API family the wait is for, e.g. {@code "events"}; see {@link
 *     OdpApi#endpoint()}
 * @param reason why the client waits
 * @param duration how long it is about to wait; positive
 */
public record OdpWait(String endpoint, Reason reason, Duration duration) {
  /** Why the client waits. */
  public enum Reason {
    /** The client spaces its requests to stay within the budget ({@link RateLimits}). */
    PACING,
    /** A retry after a 429: ODP's {@code Retry-After}, else a backoff. */
    RATE_LIMITED,
    /** A retry after an I/O error or a retryable 5xx answer. */
    BACKOFF
  }

  /** Checks that nothing is null. */
  public OdpWait {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(duration, "duration");
  }
}
