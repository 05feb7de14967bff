package io.github.brazeodp.braze;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client retries failed requests: attempts, exponential backoff with full jitter, and a
 * total time budget.
 *
 * <p>Waits after a 429 honour {@code Retry-After} when present, else {@code X-RateLimit-Reset}; a
 * wait that would overrun the budget ends the retries with the last error instead. Campaign and
 * Canvas trigger sends are only retried when the request provably did not reach Braze (connection
 * failures) or Braze answered 429: a send is never repeated blindly.
 */
public final class RetrySettings {
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration totalBudget;
  private final Duration maxRateLimitWait;

  private RetrySettings(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.totalBudget = b.totalBudget;
    this.maxRateLimitWait = b.maxRateLimitWait;
  }

  /** Returns the defaults: 8 attempts, 500 ms doubling to 30 s, 5 minutes in total. */
  public static RetrySettings defaults() {
    return builder().build();
  }

  /** Returns settings that never retry. */
  public static RetrySettings none() {
    return builder().maxAttempts(1).build();
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the maximum number of attempts, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Returns the upper bound of the first backoff. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Returns the cap of any single backoff. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Returns the total time a call may spend, waits included, before it stops retrying. */
  public Duration totalBudget() {
    return totalBudget;
  }

  /** Returns the longest single wait accepted for a server-directed rate-limit reset. */
  public Duration maxRateLimitWait() {
    return maxRateLimitWait;
  }

  @Override
  public String toString() {
    return "RetrySettings{maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", totalBudget="
        + totalBudget
        + ", maxRateLimitWait="
        + maxRateLimitWait
        + "}";
  }

  /** Builds {@link RetrySettings}. */
  public static final class Builder {
    private int maxAttempts = 8;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration totalBudget = Duration.ofMinutes(5);
    private Duration maxRateLimitWait = Duration.ofMinutes(2);

    private Builder() {}

    /** Sets the maximum number of attempts (at least 1). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Sets the upper bound of the first backoff. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    /** Sets the cap of any single backoff. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive("maxBackoff", maxBackoff);
      return this;
    }

    /** Sets the total time budget of one call, waits included. */
    public Builder totalBudget(Duration totalBudget) {
      this.totalBudget = positive("totalBudget", totalBudget);
      return this;
    }

    /** Sets the longest wait accepted for one server-directed rate-limit reset. */
    public Builder maxRateLimitWait(Duration maxRateLimitWait) {
      this.maxRateLimitWait = positive("maxRateLimitWait", maxRateLimitWait);
      return this;
    }

    /** Builds the settings. */
    public RetrySettings build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff ("
                + maxBackoff
                + ") must not be below initialBackoff ("
                + initialBackoff
                + ")");
      }
      return new RetrySettings(this);
    }

    private static Duration positive(String field, Duration value) {
      Objects.requireNonNull(value, field);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + value);
      }
      return value;
    }
  }
}
