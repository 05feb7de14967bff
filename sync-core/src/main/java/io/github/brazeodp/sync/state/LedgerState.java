package io.github.brazeodp.sync.state;

/**
 * The state of one (activation, occurrence, customer) entry of the activation ledger.
 *
 * <p>The ledger makes campaign and Canvas sends at most once: an entry is recorded {@link #PENDING}
 * before the Braze call and moved to an outcome after it. Only {@link #FAILED} entries (and
 * customers with no entry) may be claimed again; everything else is skipped by {@link
 * StateWriter#recordPending}.
 */
public enum LedgerState {
  /**
   * Recorded before the Braze call and not resolved yet. If a crashed run left it, the request may
   * or may not have reached Braze, so it is treated like {@link #UNKNOWN}: never resent
   * automatically.
   */
  PENDING,
  /** Braze accepted the send. */
  SENT,
  /** Definitely not sent (Braze refused the request, or it never left); may be retried. */
  FAILED,
  /**
   * The request left but no answer came back; a person decides, nothing resends it automatically.
   */
  UNKNOWN;

  /**
   * Tells whether a customer in this state may have received the message, which is what per-hour
   * caps count and what makes a customer be skipped on a rerun.
   *
   * @return true for {@link #PENDING}, {@link #SENT} and {@link #UNKNOWN}
   */
  public boolean mayHaveBeenSent() {
    return this != FAILED;
  }

  /**
   * Tells whether an entry may move from this state to {@code next} through {@link
   * StateWriter#markOutcome}.
   *
   * <p>A pending entry takes any outcome; an unknown one may be resolved by a person to sent or
   * failed; sent and failed are final except for repeating the same outcome. Failed entries are
   * retried by claiming them again with {@link StateWriter#recordPending}, never by marking them.
   *
   * @param next the outcome to record
   * @return true when the transition is allowed
   */
  boolean canBecome(LedgerState next) {
    return switch (this) {
      case PENDING, UNKNOWN -> next != PENDING;
      case SENT, FAILED -> next == this;
    };
  }
}
