package io.github.brazeodp.sync;

import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.sync.state.RunLease;
import io.github.brazeodp.sync.state.StateStoreException;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to run one or more flow scopes, held as leases in the state store so that it works
 * across processes sharing a SQLite file.
 *
 * <p>While held, a background thread renews the leases every third of the lease; a holder that
 * crashes stops renewing and its leases lapse after at most one lease, after which another run may
 * take the scopes. {@link #close()} releases them at once.
 *
 * <pre>{@code
 * try (RunLock lock = RunLock.builder(store).scopes(List.of("segment-sync/abc")).acquire()) {
 *   ... // the run; lock.ensureHeld() before each commit
 * }
 * }</pre>
 */
public final class RunLock implements AutoCloseable {
  /** The default lease: long enough to ride out a GC pause or a slow disk, short after a crash. */
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);

  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  private static final Duration MAX_POLL = Duration.ofSeconds(5);

  private final SyncStateStore store;
  private final List<String> scopes;
  private final String owner;
  private final Duration lease;
  private final Clock clock;
  private final ScheduledExecutorService renewer;
  private volatile RunLease lost;
  private boolean closed;

  private RunLock(Builder b, List<String> scopes, String owner) {
    this.store = b.store;
    this.scopes = scopes;
    this.owner = owner;
    this.lease = b.lease;
    this.clock = b.clock;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "run-lock-renewer");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, lease.toMillis() / 3);
    renewer.scheduleAtFixedRate(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a lock request on {@code store}.
   *
   * @param store the state store holding the leases
   * @return a builder
   */
  public static Builder builder(SyncStateStore store) {
    return new Builder(store);
  }

  /**
   * Returns an owner name for this process: its pid, host and a random part, so that an operator
   * can tell who holds a scope and two runs of one process never share a lease.
   *
   * @return a new owner name
   */
  public static String newOwner() {
    String host = System.getenv("HOSTNAME");
    return ProcessHandle.current().pid()
        + "@"
        + (host == null || host.isBlank() ? "localhost" : host)
        + "#"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Returns who holds the lock.
   *
   * @return the owner name stored with the leases
   */
  public String owner() {
    return owner;
  }

  /**
   * Returns the scopes held.
   *
   * @return the scopes, sorted
   */
  public List<String> scopes() {
    return scopes;
  }

  /**
   * Renews every lease now.
   *
   * @throws RunLockedException when a lease lapsed and another run took its scope
   */
  public synchronized void renew() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    for (String scope : scopes) {
      RunLease held = store.tryLock(scope, owner, now, lease);
      if (!held.owner().equals(owner)) {
        lost = held;
      }
    }
    ensureHeld();
  }

  /**
   * Checks that no lease was lost; call it before committing work that only the holder may commit.
   *
   * @throws RunLockedException when a lease lapsed (e.g. the process was paused longer than the
   *     lease) and another run took its scope
   */
  public void ensureHeld() {
    RunLease other = lost;
    if (other != null) {
      throw new RunLockedException(other, false);
    }
  }

  private void renewQuietly() {
    try {
      renew();
    } catch (RunLockedException e) {
      LOG.error("Run lock lost: {}", e.getMessage());
    } catch (StateStoreException | IllegalStateException e) {
      // The next renewal tries again; the lease is three renewals long.
      LOG.warn("Renewing the run lock of {} failed: {}", scopes, e.getMessage());
    }
  }

  /** Stops renewing and releases the leases; closing twice is harmless. */
  @Override
  public void close() {
    renewer.shutdownNow();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (String scope : scopes) {
      try {
        store.unlock(scope, owner);
      } catch (StateStoreException | IllegalStateException e) {
        LOG.warn(
            "Releasing the run lock of {} failed; it lapses by itself: {}", scope, e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "RunLock" + scopes + " held by " + owner;
  }

  /** Configures and takes a {@link RunLock}. */
  public static final class Builder {
    private final SyncStateStore store;
    private final List<String> scopes = new ArrayList<>();
    private Duration lease = DEFAULT_LEASE;
    private Duration wait = Duration.ZERO;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private String owner;

    private Builder(SyncStateStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Adds scopes to lock; all of them are taken, or none.
     *
     * @param more flow scopes, e.g. {@code segment-sync/<segment id>}
     * @return this builder
     */
    public Builder scopes(Collection<String> more) {
      for (String scope : Objects.requireNonNull(more, "scopes")) {
        scopes.add(Objects.requireNonNull(scope, "scope"));
      }
      return this;
    }

    /**
     * Sets how long a lease lasts without renewal (default {@link #DEFAULT_LEASE}).
     *
     * @param lease a positive duration
     * @return this builder
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lease must be positive, was " + lease);
      }
      this.lease = lease;
      return this;
    }

    /**
     * Sets how long to wait for a busy scope before giving up (default zero: refuse at once).
     *
     * @param wait zero or a positive duration
     * @return this builder
     */
    public Builder waitUpTo(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("wait must not be negative, was " + wait);
      }
      this.wait = wait;
      return this;
    }

    /**
     * Sets the clock of lease times and of the wait's deadline.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how waiting for a busy scope sleeps (tests pass a recording sleeper).
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the owner name (default {@link #newOwner()}).
     *
     * @param owner the owner name
     * @return this builder
     */
    public Builder owner(String owner) {
      this.owner = Objects.requireNonNull(owner, "owner");
      return this;
    }

    /**
     * Takes every scope, waiting as configured.
     *
     * @return the lock; close it when the run ends
     * @throws RunLockedException when a scope stays held by another run
     */
    public RunLock acquire() {
      // Sorted, so that two runs over overlapping scopes take them in the same order.
      List<String> sorted = List.copyOf(new TreeSet<>(scopes));
      String me = owner == null ? newOwner() : owner;
      Instant deadline = clock.instant().plus(wait);
      while (true) {
        RunLease refused = tryAll(sorted, me);
        if (refused == null) {
          return new RunLock(this, sorted, me);
        }
        Instant now = clock.instant();
        if (!now.isBefore(deadline)) {
          throw new RunLockedException(refused, !wait.isZero());
        }
        Duration pause = Duration.between(now, deadline);
        try {
          sleeper.sleep(pause.compareTo(MAX_POLL) < 0 ? pause : MAX_POLL);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RunLockedException(refused, true);
        }
      }
    }

    /** Takes the scopes in order; on a refusal releases those taken and returns the holder. */
    private RunLease tryAll(List<String> sorted, String me) {
      List<String> taken = new ArrayList<>();
      Instant now = clock.instant();
      for (String scope : sorted) {
        RunLease held = store.tryLock(scope, me, now, lease);
        if (!held.owner().equals(me)) {
          taken.forEach(s -> store.unlock(s, me));
          return held;
        }
        taken.add(scope);
      }
      return null;
    }
  }
}
