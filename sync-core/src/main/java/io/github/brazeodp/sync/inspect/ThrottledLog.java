package io.github.brazeodp.sync.inspect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * Logs an inspector's failures at most once per interval, so a full disk does not flood the log
 * with one warning per request; the next warning says how many were suppressed.
 */
final class ThrottledLog {
  static final Duration INTERVAL = Duration.ofMinutes(1);

  private final Logger log;
  private final Clock clock;
  private Instant nextAllowed;
  private long suppressed;

  ThrottledLog(Logger log) {
    this(log, Clock.systemUTC());
  }

  ThrottledLog(Logger log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  /** Logs a warning unless one was logged within the interval; returns whether it logged. */
  boolean warn(String message, Throwable error) {
    long skipped;
    synchronized (this) {
      Instant now = clock.instant();
      if (nextAllowed != null && now.isBefore(nextAllowed)) {
        suppressed++;
        return false;
      }
      nextAllowed = now.plus(INTERVAL);
      skipped = suppressed;
      suppressed = 0;
    }
    try {
      log.warn(
          skipped == 0
              ? message
              : message + " (" + skipped + " similar failures in the last minute not logged)",
          error);
    } catch (RuntimeException ignored) {
      // A broken logging backend must not break a request either.
    }
    return true;
  }
}
