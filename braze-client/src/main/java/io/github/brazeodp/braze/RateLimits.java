package io.github.brazeodp.braze;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Client-side request budgets, one per {@link EndpointFamily}.
 *
 * <p>The client paces itself under these budgets so that its threads share one allowance and do not
 * provoke 429s; it also slows down when Braze's {@code X-RateLimit-Remaining} reaches zero, until
 * {@code X-RateLimit-Reset}. Accounts differ (legacy contracts, MAU-based limits), so every budget
 * can be changed; {@link #unlimited()} turns pacing off and leaves only the server's headers.
 */
public final class RateLimits {
  private final Map<EndpointFamily, Budget> budgets;

  private RateLimits(Map<EndpointFamily, Budget> budgets) {
    this.budgets = budgets;
  }

  /**
   * Returns Braze's documented defaults: users/track 3,000 per 3 s, export ids 250 per minute,
   * messaging 250,000 per hour, everything else 250,000 per hour.
   */
  public static RateLimits defaults() {
    return builder().build();
  }

  /** Returns budgets that never hold a request back. */
  public static RateLimits unlimited() {
    Builder b = new Builder();
    for (EndpointFamily f : EndpointFamily.values()) {
      b.budgets.put(f, null);
    }
    return b.build();
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the budget of a family, or {@code null} when the family is not paced. */
  public Budget budget(EndpointFamily family) {
    return budgets.get(family);
  }

  @Override
  public String toString() {
    return "RateLimits" + budgets;
  }

  /** A number of requests allowed per period. */
  public record Budget(int requests, Duration per) {
    /** Validates the budget. */
    public Budget {
      Objects.requireNonNull(per, "per");
      if (requests < 1) {
        throw new IllegalArgumentException("requests must be at least 1, was " + requests);
      }
      if (per.isNegative() || per.isZero()) {
        throw new IllegalArgumentException("per must be positive, was " + per);
      }
    }

    @Override
    public String toString() {
      return requests + "/" + per;
    }
  }

  /** Builds {@link RateLimits}. */
  public static final class Builder {
    private final Map<EndpointFamily, Budget> budgets = new EnumMap<>(EndpointFamily.class);

    private Builder() {
      budgets.put(EndpointFamily.USERS_TRACK, new Budget(3_000, Duration.ofSeconds(3)));
      budgets.put(EndpointFamily.USERS_EXPORT_IDS, new Budget(250, Duration.ofMinutes(1)));
      budgets.put(EndpointFamily.MESSAGING, new Budget(250_000, Duration.ofHours(1)));
      budgets.put(EndpointFamily.DEFAULT, new Budget(250_000, Duration.ofHours(1)));
    }

    /** Sets the budget of one family. */
    public Builder limit(EndpointFamily family, int requests, Duration per) {
      budgets.put(Objects.requireNonNull(family, "family"), new Budget(requests, per));
      return this;
    }

    /** Removes client-side pacing for one family. */
    public Builder unlimited(EndpointFamily family) {
      budgets.put(Objects.requireNonNull(family, "family"), null);
      return this;
    }

    /** Builds the budgets. */
    public RateLimits build() {
      return new RateLimits(new EnumMap<>(budgets));
    }
  }
}
