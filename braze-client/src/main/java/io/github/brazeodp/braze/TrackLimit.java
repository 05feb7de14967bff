package io.github.brazeodp.braze;

/**
 * How many objects one {@code /users/track} request may carry; Braze's rule depends on the
 * account's contract.
 *
 * <p>Current accounts may send 75 objects combined across attributes, events and purchases; legacy
 * accounts 75 per array; "Monthly Active Users CY 24-25" accounts 50 combined. The sources
 * conflict, so the client defaults to {@link #COMBINED_50}, which every account accepts. See <a
 * href="https://www.braze.com/docs/api/api_limits/">API limits</a>.
 *
 * @param max the maximum number of objects
 * @param perArray true when {@code max} applies to each array separately, false when combined
 */
public record TrackLimit(int max, boolean perArray) {
  /** Legacy accounts: up to 75 attributes, 75 events and 75 purchases per request. */
  public static final TrackLimit LEGACY_75_PER_ARRAY = new TrackLimit(75, true);

  /** Current default rule: up to 75 objects combined. */
  public static final TrackLimit COMBINED_75 = new TrackLimit(75, false);

  /** MAU-contract accounts: up to 50 objects combined; accepted by every account. */
  public static final TrackLimit COMBINED_50 = new TrackLimit(50, false);

  /** Validates the limit. */
  public TrackLimit {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
  }

  /** Returns whether {@code request} fits in one call. */
  public boolean fits(TrackRequest request) {
    if (perArray) {
      return request.attributes().size() <= max
          && request.events().size() <= max
          && request.purchases().size() <= max;
    }
    return request.objectCount() <= max;
  }

  @Override
  public String toString() {
    return max + (perArray ? " per array" : " combined");
  }
}
