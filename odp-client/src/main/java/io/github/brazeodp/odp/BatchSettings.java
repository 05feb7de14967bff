package io.github.brazeodp.odp;

import java.util.Objects;

/**
 * How batch calls (events, profile upserts, list subscriptions) split and validate rows.
 *
 * <p>The item cap defaults to 500, the documented maximum. Sources conflict: Optimizely's Node SDK
 * enforces 100 and the PHP SDK 1,000, so the cap is configurable. ODP documents no byte limit; the
 * default byte cap of 1 MiB is a conservative guess. {@code requireAction} defaults to true because
 * ODP's OpenAPI marks {@code action} required (its docs and Node SDK treat it as optional).
 * Immutable.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/reference/rate-limits">ODP
 *     batch size</a>
 */
public final class BatchSettings {
  /** The documented maximum number of objects per request. */
  public static final int DOCUMENTED_MAX_ITEMS = 500;

  private static final BatchSettings DEFAULTS = builder().build();

  private final int maxItems;
  private final long maxBytes;
  private final NestedDataPolicy nestedData;
  private final boolean requireAction;

  private BatchSettings(Builder b) {
    this.maxItems = b.maxItems;
    this.maxBytes = b.maxBytes;
    this.nestedData = b.nestedData;
    this.requireAction = b.requireAction;
  }

  /** Returns the defaults: 500 items, 1 MiB, nested data rejected, action required. */
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
        + "}";
  }

  /** Builds {@link BatchSettings}. */
  public static final class Builder {
    private int maxItems = DOCUMENTED_MAX_ITEMS;
    private long maxBytes = 1024 * 1024;
    private NestedDataPolicy nestedData = NestedDataPolicy.REJECT;
    private boolean requireAction = true;

    private Builder() {}

    /** Sets the most rows per request, 1 to 500 (the documented maximum). */
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

    /** Builds the settings. */
    public BatchSettings build() {
      return new BatchSettings(this);
    }
  }
}
