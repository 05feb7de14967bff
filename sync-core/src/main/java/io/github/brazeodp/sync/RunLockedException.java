package io.github.brazeodp.sync;

import io.github.brazeodp.sync.state.RunLease;
import java.util.Objects;

/**
 * Thrown when a run cannot start because another run holds the run lock of its scope: a cron
 * overlap, or a manual run during the nightly one. Nothing was read or written; try again later.
 */
public final class RunLockedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient RunLease holder;

  /**
   * Creates the exception for the lease that refused the run.
   *
   * @param holder the lease of the run that holds the scope
   * @param waited whether the run waited for the lock before giving up
   */
  public RunLockedException(RunLease holder, boolean waited) {
    super(
        "another run holds "
            + Objects.requireNonNull(holder, "holder").scope()
            + " (owner "
            + holder.owner()
            + ", since "
            + holder.acquiredAt()
            + ", lease until "
            + holder.expiresAt()
            + ")"
            + (waited ? " and did not finish while this run waited" : "")
            + "; nothing was done, try again later");
    this.holder = holder;
  }

  /**
   * Returns the lease of the run holding the scope.
   *
   * @return the holder's lease
   */
  public RunLease holder() {
    return holder;
  }
}
