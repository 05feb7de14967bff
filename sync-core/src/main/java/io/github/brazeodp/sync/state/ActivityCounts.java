package io.github.brazeodp.sync.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The counts of one activity record: what a run read, matched, sent and rejected, and how many API
 * calls it made.
 *
 * <p>Counts that only one flow has (Currents duplicates, activation skipped-already-sent, ...) go
 * in {@link #other()} under a name the flow documents.
 *
 * @param read records read (export lines, Currents events, segment members)
 * @param matched records with a usable identifier
 * @param unmatched records without one
 * @param unchanged records skipped because their hash did not change
 * @param sent records written to the other side
 * @param rejected records refused (by validation or by the API)
 * @param retried requests retried
 * @param brazeCalls calls made to Braze
 * @param odpCalls calls made to ODP
 * @param other flow-specific counts by name
 */
public record ActivityCounts(
    long read,
    long matched,
    long unmatched,
    long unchanged,
    long sent,
    long rejected,
    long retried,
    long brazeCalls,
    long odpCalls,
    Map<String, Long> other) {

  private static final ActivityCounts EMPTY = builder().build();

  /**
   * Copies the map.
   *
   * @param read records read (export lines, Currents events, segment members)
   * @param matched records with a usable identifier
   * @param unmatched records without one
   * @param unchanged records skipped because their hash did not change
   * @param sent records written to the other side
   * @param rejected records refused (by validation or by the API)
   * @param retried requests retried
   * @param brazeCalls calls made to Braze
   * @param odpCalls calls made to ODP
   * @param other flow-specific counts by name
   */
  public ActivityCounts {
    other = Map.copyOf(other == null ? Map.of() : other);
  }

  /**
   * Returns counts that are all zero.
   *
   * @return the empty counts
   */
  public static ActivityCounts empty() {
    return EMPTY;
  }

  /**
   * Starts counts at zero.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ActivityCounts}. */
  public static final class Builder {
    private long read;
    private long matched;
    private long unmatched;
    private long unchanged;
    private long sent;
    private long rejected;
    private long retried;
    private long brazeCalls;
    private long odpCalls;
    private final Map<String, Long> other = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the records read.
     *
     * @param value the count
     * @return this builder
     */
    public Builder read(long value) {
      this.read = value;
      return this;
    }

    /**
     * Sets the records matched.
     *
     * @param value the count
     * @return this builder
     */
    public Builder matched(long value) {
      this.matched = value;
      return this;
    }

    /**
     * Sets the records unmatched.
     *
     * @param value the count
     * @return this builder
     */
    public Builder unmatched(long value) {
      this.unmatched = value;
      return this;
    }

    /**
     * Sets the records skipped as unchanged.
     *
     * @param value the count
     * @return this builder
     */
    public Builder unchanged(long value) {
      this.unchanged = value;
      return this;
    }

    /**
     * Sets the records sent.
     *
     * @param value the count
     * @return this builder
     */
    public Builder sent(long value) {
      this.sent = value;
      return this;
    }

    /**
     * Sets the records rejected.
     *
     * @param value the count
     * @return this builder
     */
    public Builder rejected(long value) {
      this.rejected = value;
      return this;
    }

    /**
     * Sets the requests retried.
     *
     * @param value the count
     * @return this builder
     */
    public Builder retried(long value) {
      this.retried = value;
      return this;
    }

    /**
     * Sets the calls made to Braze.
     *
     * @param value the count
     * @return this builder
     */
    public Builder brazeCalls(long value) {
      this.brazeCalls = value;
      return this;
    }

    /**
     * Sets the calls made to ODP.
     *
     * @param value the count
     * @return this builder
     */
    public Builder odpCalls(long value) {
      this.odpCalls = value;
      return this;
    }

    /**
     * Sets one flow-specific count.
     *
     * @param name the count's name
     * @param value the count
     * @return this builder
     */
    public Builder other(String name, long value) {
      other.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /**
     * Builds the counts.
     *
     * @return the counts
     */
    public ActivityCounts build() {
      return new ActivityCounts(
          read,
          matched,
          unmatched,
          unchanged,
          sent,
          rejected,
          retried,
          brazeCalls,
          odpCalls,
          other);
    }
  }
}
