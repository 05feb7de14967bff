package io.github.brazeodp.sync.activation;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The automation rules of an event-enrolled activation: at most N sends per customer per hour, at
 * most M sends per hour in total, and a latency cut-off (ignore events older than X).
 *
 * <p>The caps count the activation ledger's entries of the last hour that may have been sent (sent,
 * pending or unknown), plus the events queued for the next micro-batch, so a cap is never exceeded
 * because an outcome is unknown. Zero means "no cap"; a null cut-off means none.
 *
 * @param perCustomerPerHour the most sends to one customer in any hour, 0 for no cap
 * @param totalPerHour the most sends in any hour, 0 for no cap
 * @param maxLatency events older than this (event {@code ts} vs the clock) are ignored, or null
 */
public record AutomationRules(int perCustomerPerHour, int totalPerHour, Duration maxLatency) {

  private static final AutomationRules NONE = new AutomationRules(0, 0, null);

  /**
   * Checks the values.
   *
   * @param perCustomerPerHour the most sends to one customer in any hour, 0 for no cap
   * @param totalPerHour the most sends in any hour, 0 for no cap
   * @param maxLatency events older than this are ignored, or null
   */
  public AutomationRules {
    if (perCustomerPerHour < 0) {
      throw new IllegalArgumentException(
          "automation rules: perCustomerPerHour must not be negative, was " + perCustomerPerHour);
    }
    if (totalPerHour < 0) {
      throw new IllegalArgumentException(
          "automation rules: totalPerHour must not be negative, was " + totalPerHour);
    }
    if (maxLatency != null && (maxLatency.isNegative() || maxLatency.isZero())) {
      throw new IllegalArgumentException(
          "automation rules: maxLatency must be positive, was " + maxLatency);
    }
  }

  /**
   * Returns rules without caps or cut-off.
   *
   * @return the empty rules
   */
  public static AutomationRules none() {
    return NONE;
  }

  /**
   * Returns a copy with a per-customer per-hour cap.
   *
   * @param n the cap, 0 for none
   * @return the new rules
   */
  public AutomationRules perCustomerPerHour(int n) {
    return new AutomationRules(n, totalPerHour, maxLatency);
  }

  /**
   * Returns a copy with a total per-hour cap.
   *
   * @param n the cap, 0 for none
   * @return the new rules
   */
  public AutomationRules totalPerHour(int n) {
    return new AutomationRules(perCustomerPerHour, n, maxLatency);
  }

  /**
   * Returns a copy with a latency cut-off.
   *
   * @param cutOff events older than this are ignored
   * @return the new rules
   */
  public AutomationRules ignoreEventsOlderThan(Duration cutOff) {
    return new AutomationRules(
        perCustomerPerHour, totalPerHour, Objects.requireNonNull(cutOff, "cutOff"));
  }

  /**
   * Returns the latency cut-off.
   *
   * @return the cut-off, or empty
   */
  public Optional<Duration> latencyCutOff() {
    return Optional.ofNullable(maxLatency);
  }

  /** Tells whether any per-hour cap is set. */
  boolean hasCaps() {
    return perCustomerPerHour > 0 || totalPerHour > 0;
  }
}
