package io.github.brazeodp.sync.activation;

/**
 * Names of the activation-specific counts in {@link
 * io.github.brazeodp.sync.state.ActivityCounts#other()}; the common ones (read, matched, unmatched,
 * sent, rejected, Braze and ODP calls) are the record's own fields.
 *
 * <p>In an activation run, {@code sent} counts customers Braze accepted (or, in a dry run, would be
 * sent), {@code rejected} counts customers refused by validation (a value too long) or by Braze (a
 * 400 answer, a {@code /users/track} row error).
 */
public final class ActivationCounts {
  /** Customers skipped because this occurrence already sent to them. */
  public static final String SKIPPED_ALREADY_SENT = "skippedAlreadySent";

  /**
   * Customers skipped because an earlier attempt of this occurrence has an unknown (or pending)
   * outcome: a person decides, nothing resends them.
   */
  public static final String SKIPPED_UNKNOWN = "skippedUnknown";

  /** Customers whose send may have reached Braze without an answer (timeout, 5xx). */
  public static final String UNKNOWN_OUTCOME = "unknownOutcome";

  /** Pending entries a crashed earlier run left behind, turned unknown at the start of this run. */
  public static final String RECOVERED_AS_UNKNOWN = "recoveredAsUnknown";

  /** Customers not sent because Braze kept answering 429 after the client's retries. */
  public static final String RATE_LIMITED = "rateLimited";

  /**
   * Customers Braze certainly did not message for another reason (paused or archived Canvas, a
   * connection refused before the request left); a rerun of the occurrence may send them.
   */
  public static final String NOT_SENT = "notSent";

  /** Events that did not match the activation's filter. */
  public static final String FILTERED = "filtered";

  /** Events ignored because they were older than the latency cut-off. */
  public static final String TOO_LATE = "tooLate";

  /** Events not sent because of the per-customer per-hour cap. */
  public static final String CAPPED_PER_CUSTOMER = "cappedPerCustomer";

  /** Events not sent because of the total per-hour cap. */
  public static final String CAPPED_TOTAL = "cappedTotal";

  /** Events already handled (a redelivery of the same idempotence id). */
  public static final String DUPLICATE_EVENT = "duplicateEvent";

  /** Braze custom events accepted by {@code /users/track}. */
  public static final String CUSTOM_EVENTS_SENT = "customEventsSent";

  /** Custom events not sent because the ledger already holds them (sent or unknown). */
  public static final String CUSTOM_EVENTS_SKIPPED = "customEventsSkipped";

  /** Custom events Braze certainly did not record (a 4xx, a request that never left). */
  public static final String CUSTOM_EVENTS_FAILED = "customEventsFailed";

  /** Events read from ODP by an {@link OdpEventSource} poll window. */
  public static final String EVENTS_READ = "eventsRead";

  /** Polled events already fed by an earlier window (inside the overlap). */
  public static final String EVENTS_ALREADY_FED = "eventsAlreadyFed";

  private ActivationCounts() {}
}
