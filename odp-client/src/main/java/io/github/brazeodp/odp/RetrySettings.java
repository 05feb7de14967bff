package io.github.brazeodp.odp;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The client's one retry policy: how many attempts, how long to back off, and the total time budget
 * of one call.
 *
 * <p>Retried: I/O errors, HTTP 408, 429 and every 5xx. The wait honours {@code Retry-After} when
 * ODP sends it (it documents none), else it is exponential with full jitter: a uniform random delay
 * in {@code [0, min(maxBackoff, initialBackoff * 2^(attempt-1))]}. A call stops when the next wait
 * would take it past {@code totalBudget}. Immutable and thread-safe.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     rate limits</a>
 */
public final class RetrySettings {
  private static final RetrySettings DEFAULTS = builder().build();
  private static final RetrySettings NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration totalBudget;
  private final RandomGenerator random;

  private RetrySettings(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.totalBudget = b.totalBudget;
    this.random = b.random;
  }

  /** Returns the defaults: 6 attempts, 500 ms initial backoff, 30 s cap, 2 min budget. */
  public static RetrySettings defaults() {
    return DEFAULTS;
  }

  /** Returns settings that never retry (one attempt). */
  public static RetrySettings none() {
    return NONE;
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialBackoff = initialBackoff;
    b.maxBackoff = maxBackoff;
    b.totalBudget = totalBudget;
    b.random = random;
    return b;
  }

  /** Returns the most attempts per call, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Returns the backoff ceiling of the first retry. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** Returns the ceiling of any computed backoff. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Returns the most time one call may spend, waits included. */
  public Duration totalBudget() {
    return totalBudget;
  }

  /** Returns a uniformly random number of milliseconds in {@code [0, bound]}. */
  long jitterMillis(long bound) {
    if (bound <= 0) {
      return 0;
    }
    if (random == null) {
      return ThreadLocalRandom.current().nextLong(bound + 1);
    }
    // A caller's generator may not be thread-safe; one client is shared by many threads.
    synchronized (random) {
      return random.nextLong(bound + 1);
    }
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
        + "}";
  }

  /** Builds {@link RetrySettings}. */
  public static final class Builder {
    private int maxAttempts = 6;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration totalBudget = Duration.ofMinutes(2);
    private RandomGenerator random;

    private Builder() {}

    /** Sets the most attempts per call, at least 1 (1 disables retries). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Sets the backoff ceiling of the first retry; must be positive. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    /** Sets the ceiling of any computed backoff; must be positive. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive("maxBackoff", maxBackoff);
      return this;
    }

    /** Sets the most time one call may spend, waits included; must be positive. */
    public Builder totalBudget(Duration totalBudget) {
      this.totalBudget = positive("totalBudget", totalBudget);
      return this;
    }

    /** Sets the jitter source; the default is {@link ThreadLocalRandom}. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Makes the jitter reproducible, for tests. */
    public Builder seed(long seed) {
      this.random = new Random(seed);
      return this;
    }

    /** Builds the settings; {@code maxBackoff} must not be below {@code initialBackoff}. */
    public RetrySettings build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff (" + maxBackoff + ") must be >= initialBackoff (" + initialBackoff + ")");
      }
      return new RetrySettings(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
