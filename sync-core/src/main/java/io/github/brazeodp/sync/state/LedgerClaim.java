package io.github.brazeodp.sync.state;

import java.util.List;
import java.util.Map;

/**
 * The result of recording a batch as pending: who may be sent to now, and who must be skipped.
 *
 * @param claimed customers now {@link LedgerState#PENDING} for this call, in input order
 * @param skipped customers left out because they are already sent, pending or unknown, with that
 *     state
 */
public record LedgerClaim(List<String> claimed, Map<String, LedgerState> skipped) {

  /**
   * Copies the collections.
   *
   * @param claimed customers now pending for this call, in input order
   * @param skipped customers left out because they are already sent, pending or unknown, with that
   *     state
   */
  public LedgerClaim {
    claimed = List.copyOf(claimed);
    skipped = Map.copyOf(skipped);
  }
}
