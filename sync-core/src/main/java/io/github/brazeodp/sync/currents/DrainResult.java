package io.github.brazeodp.sync.currents;

import java.time.Duration;

/**
 * What one forwarding cycle did.
 *
 * @param forwarded events ODP accepted, now removed from the outbox
 * @param rejected events moved from the outbox to the dead letters: refused by ODP one by one,
 *     unreadable, or past the maximum age or attempt count
 * @param failure why the cycle stopped early (ODP unreachable or failing after the client's own
 *     retries), or null when it drained the outbox
 * @param remaining messages left in the outbox
 * @param retryIn how long scheduled cycles wait before trying again; zero after a successful cycle
 */
public record DrainResult(
    int forwarded, int rejected, String failure, long remaining, Duration retryIn) {

  /**
   * Returns whether the cycle stopped because ODP failed; the events stay queued.
   *
   * @return true when the cycle failed
   */
  public boolean failed() {
    return failure != null;
  }
}
