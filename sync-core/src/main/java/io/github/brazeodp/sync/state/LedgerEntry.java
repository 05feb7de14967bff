package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Objects;

/**
 * One (activation, occurrence, customer) entry of the activation ledger.
 *
 * @param activation the activation's name
 * @param occurrence the run occurrence (a scheduled time, or an event id for event enrollment)
 * @param customer the recipient's key as the activation identifies it
 * @param state the entry's state
 * @param attemptedAt when the customer was last claimed for a send (what per-hour caps count)
 * @param updatedAt when the state last changed
 * @param dispatchId Braze's dispatch id of the send, or null
 * @param reason why the entry failed or is unknown, or null
 */
public record LedgerEntry(
    String activation,
    String occurrence,
    String customer,
    LedgerState state,
    Instant attemptedAt,
    Instant updatedAt,
    String dispatchId,
    String reason) {

  /**
   * Checks the required values.
   *
   * @param activation the activation's name
   * @param occurrence the run occurrence (a scheduled time, or an event id for event enrollment)
   * @param customer the recipient's key as the activation identifies it
   * @param state the entry's state
   * @param attemptedAt when the customer was last claimed for a send (what per-hour caps count)
   * @param updatedAt when the state last changed
   * @param dispatchId Braze's dispatch id of the send, or null
   * @param reason why the entry failed or is unknown, or null
   */
  public LedgerEntry {
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(occurrence, "occurrence");
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(attemptedAt, "attemptedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
