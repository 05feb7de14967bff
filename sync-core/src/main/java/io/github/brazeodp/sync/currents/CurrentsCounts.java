package io.github.brazeodp.sync.currents;

/**
 * Cumulative counters of the Currents flow since the receiver and forwarder were built, for the
 * host's metrics.
 *
 * @param received events read from accepted-for-processing batches (valid or not)
 * @param duplicates events skipped because their Currents id was seen within the de-duplication
 *     window (or earlier in the same batch)
 * @param queued events durably written to the outbox
 * @param forwarded events ODP accepted
 * @param unmatched events with no identifier ODP could use; counted and reported, not forwarded
 * @param rejected events refused by the receiver (missing id or event type, wrong types, too large,
 *     too deeply nested)
 * @param odpRejected events ODP refused one by one; moved to the dead letters and reported
 * @param truncatedFields text values cut to ODP's 1,024-character limit
 * @param refusedBatches batches answered 503 because the outbox was full or the store failed
 * @param unauthorized requests answered 401
 * @param deadLettered events moved from the outbox to the dead letters: refused by ODP, unreadable,
 *     or past the forwarder's maximum age or attempt count
 * @param parked unmatched events parked until the identity map learns their user
 * @param unparked parked events queued for ODP once their user was learned
 * @param parkedDropped parked events dropped because their user was not learned in time, or beyond
 *     the parking bound
 */
public record CurrentsCounts(
    long received,
    long duplicates,
    long queued,
    long forwarded,
    long unmatched,
    long rejected,
    long odpRejected,
    long truncatedFields,
    long refusedBatches,
    long unauthorized,
    long deadLettered,
    long parked,
    long unparked,
    long parkedDropped) {

  /**
   * Returns the difference {@code this - earlier}, for counts over an interval.
   *
   * @param earlier a snapshot taken before this one
   * @return the per-interval counts
   */
  public CurrentsCounts minus(CurrentsCounts earlier) {
    return new CurrentsCounts(
        received - earlier.received,
        duplicates - earlier.duplicates,
        queued - earlier.queued,
        forwarded - earlier.forwarded,
        unmatched - earlier.unmatched,
        rejected - earlier.rejected,
        odpRejected - earlier.odpRejected,
        truncatedFields - earlier.truncatedFields,
        refusedBatches - earlier.refusedBatches,
        unauthorized - earlier.unauthorized,
        deadLettered - earlier.deadLettered,
        parked - earlier.parked,
        unparked - earlier.unparked,
        parkedDropped - earlier.parkedDropped);
  }
}
