package io.github.brazeodp.braze;

import java.time.Duration;
import java.util.Objects;

/**
 * One wait of the client before an attempt, as reported to {@link
 * BrazeEventListener#onWait(BrazeWait)}: rate pacing, a pause Braze asked for, or a retry backoff.
 *
 * @param endpoint the endpoint path the wait is for, for example {@code /users/track}
 * @param family the rate-limit family of the endpoint
 * @param reason why the client waits
 * @param duration how long it is about to wait; positive
 */
public record BrazeWait(String endpoint, EndpointFamily family, Reason reason, Duration duration) {
  /** Why the client waits. */
  public enum Reason {
    /** The client's own budget for the family ({@link RateLimits}) is used up for now. */
    PACING,
    /**
     * Braze asked for the pause: a 429 (its {@code Retry-After}, else a backoff) or {@code
     * X-RateLimit-Remaining: 0} until {@code X-RateLimit-Reset}.
     */
    RATE_LIMITED,
    /** A retry after an I/O error or a 5xx answer. */
    BACKOFF
  }

  /** Checks that nothing is null. */
  public BrazeWait {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(duration, "duration");
  }
}
