package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Objects;

/**
 * The lease of a run lock as the state store holds it: who runs a flow scope and until when.
 *
 * <p>A holder renews its lease while it runs; a holder that crashed stops renewing, so its lease
 * runs out and another run may take the scope over.
 *
 * @param scope the flow scope locked, e.g. {@code segment-sync/<segment id>}
 * @param owner who holds it (process id, host and a random part)
 * @param acquiredAt when the owner took it
 * @param expiresAt when it lapses unless renewed
 */
public record RunLease(String scope, String owner, Instant acquiredAt, Instant expiresAt) {

  /**
   * Checks the values.
   *
   * @param scope the flow scope locked
   * @param owner who holds it
   * @param acquiredAt when the owner took it
   * @param expiresAt when it lapses unless renewed
   */
  public RunLease {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(acquiredAt, "acquiredAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * Returns whether the lease has lapsed at {@code now}, so that another owner may take it.
   *
   * @param now the current time
   * @return true when {@code expiresAt} is not after {@code now}
   */
  public boolean expiredAt(Instant now) {
    return !expiresAt.isAfter(now);
  }
}
