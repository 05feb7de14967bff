package io.github.brazeodp.odp;

import java.util.Objects;

/**
 * How batch calls (events, profile upserts, list subscriptions) split, send and validate rows.
 *
 * <p>The item cap defaults to 100, the safer side of a documented conflict: the rate-limit page
 * allows 500 objects per request, Optimizely's Node SDK enforces 100 (and the PHP SDK 1,000). An
 * account that takes 500 can raise it with {@link Builder#maxItems(int)}; a request that is still
 * too large for the account is split and resent, never lost (see {@link EventsService#send}). ODP
 * documents no byte limit; the default byte cap of 1 MiB is a conservative guess. Up to {@link
 * #maxInFlight()} requests of one call are in flight at once (default {@value
 * #DEFAULT_MAX_IN_FLIGHT}). {@code requireAction} defaults to true because ODP's OpenAPI marks
 * {@code action} required (its docs and Node SDK treat it as optional). Immutable.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     batch size</a>
 */
public final class BatchSettings {
  /** The documented maximum number of objects per request. */
  public static final int DOCUMENTED_MAX_ITEMS = 500;

  /** The default number of objects per request: the Node SDK's cap, safe for every account. */
  public static final int DEFAULT_MAX_ITEMS = 100;

  /**
   * The default number of requests one call keeps in flight. A request of 100 events waits one
   * round trip, so one caller at a 50 ms round trip sends 2,000 events/s per request in flight;
   * calls of a few thousand events then finish in two round trips. ODP documents no concurrency
   * limit (events and objects are unlimited on its newer rate-limit page), and paced APIs stay
   * within their budget however many requests wait for a slot.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 32;

  /** The most requests one call may keep in flight. */
  public static final int MAX_IN_FLIGHT = 64;

  private static final BatchSettings DEFAULTS = builder().build();

  private final int maxItems;
  private final long maxBytes;
  private final NestedDataPolicy nestedData;
  private final boolean requireAction;
  private final int maxInFlight;

  private BatchSettings(Builder b) {
    this.maxItems = b.maxItems;
    this.maxBytes = b.maxBytes;
    this.nestedData = b.nestedData;
    this.requireAction = b.requireAction;
    this.maxInFlight = b.maxInFlight;
  }

  /**
   * Returns the defaults: 100 items, 1 MiB, 32 requests in flight, nested data rejected, action
   * required.
   */
  public static BatchSettings defaults() {
    return DEFAULTS;
  }

  /** Returns a builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the most rows per request. */
  public int maxItems() {
    return maxItems;
  }

  /** Returns the most body bytes per request. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Returns what happens to nested values in data and attributes. */
  public NestedDataPolicy nestedData() {
    return nestedData;
  }

  /** Returns whether events need a non-blank {@code action}. */
  public boolean requireAction() {
    return requireAction;
  }

  /** Returns the most requests one batch call keeps in flight at once. */
  public int maxInFlight() {
    return maxInFlight;
  }

  @Override
  public String toString() {
    return "BatchSettings{maxItems="
        + maxItems
        + ", maxBytes="
        + maxBytes
        + ", nestedData="
        + nestedData
        + ", requireAction="
        + requireAction
        + ", maxInFlight="
        + maxInFlight
        + "}";
  }

  /** Builds {@link BatchSettings}. */
  public static final class Builder {
    private int maxItems = DEFAULT_MAX_ITEMS;
    private long maxBytes = 1024 * 1024;
    private NestedDataPolicy nestedData = NestedDataPolicy.REJECT;
    private boolean requireAction = true;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

    private Builder() {}

    /**
     * Sets the most rows per request, 1 to 500 (the documented maximum); the default is 100 because
     * sources disagree on the account cap.
     */
    public Builder maxItems(int maxItems) {
      if (maxItems < 1 || maxItems > DOCUMENTED_MAX_ITEMS) {
        throw new IllegalArgumentException(
            "maxItems must be between 1 and " + DOCUMENTED_MAX_ITEMS + ": " + maxItems);
      }
      this.maxItems = maxItems;
      return this;
    }

    /** Sets the most body bytes per request, at least 1 KiB. */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 1024) {
        throw new IllegalArgumentException("maxBytes must be >= 1024: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /** Sets what happens to nested values in data and attributes. */
    public Builder nestedData(NestedDataPolicy nestedData) {
      this.nestedData = Objects.requireNonNull(nestedData, "nestedData");
      return this;
    }

    /** Sets whether events need a non-blank {@code action}. */
    public Builder requireAction(boolean requireAction) {
      this.requireAction = requireAction;
      return this;
    }

    /**
     * Sets how many requests of one batch call may be in flight at once, 1 to 64 (default 32); 1
     * sends them one after another. Each in-flight request holds its body (at most {@link
     * #maxBytes(long)}) and one connection. Paced APIs (profiles, lists) still never exceed their
     * {@link RateLimits} budget.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT) {
        throw new IllegalArgumentException(
            "maxInFlight must be between 1 and " + MAX_IN_FLIGHT + ": " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** Builds the settings. */
    public BatchSettings build() {
      return new BatchSettings(this);
    }
  }
}
