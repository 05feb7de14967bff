package io.github.brazeodp.odp;

/** The outcome of one input row of a batch call. */
public enum RowStatus {
  /** Its request was answered with success. */
  ACCEPTED,
  /**
   * ODP refused this row: a 400 named it, or a request refused whole was split down to this row
   * alone (or ran out of split budget); see {@link BatchResult#errors()}.
   */
  REJECTED,
  /**
   * Its request got a 400 that named other rows, or failed without a clear answer; whether ODP kept
   * it is not documented. Resending is safe: events carry an idempotence id, upserts are
   * idempotent.
   */
  UNCONFIRMED,
  /** A failure of an earlier request stopped the call before this row was sent. */
  NOT_SENT
}
