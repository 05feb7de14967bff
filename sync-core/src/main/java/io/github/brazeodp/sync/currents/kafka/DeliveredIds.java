package io.github.brazeodp.sync.currents.kafka;

import io.github.brazeodp.sync.state.SyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Currents ids the forwarder group delivered, in the state store so that every member (on
 * PostgreSQL: every host) sees them: checked before a send, marked after ODP accepted, so a crash
 * in between resends an event (ODP gets it twice, with one idempotence id) and never loses one.
 *
 * <p>Kept in the store's keyed namespaces, one per UTC day ({@code
 * currents-kafka-delivered/<day>}): a look-up reads the days of the window, and a whole day past
 * the window is dropped at once. The receivers' {@code markSeen} ids cannot serve: they mean
 * "queued", and a look-up would have to mark.
 */
final class DeliveredIds {
  static final String NAMESPACE = "currents-kafka-delivered/";
  private static final String MARK = "1";

  private final SyncStateStore state;
  private final long windowDays;
  private long purgedBefore = Long.MIN_VALUE;

  DeliveredIds(SyncStateStore state, Duration window) {
    this.state = state;
    this.windowDays = Math.max(1, (window.toHours() + 23) / 24);
  }

  /** Returns those of {@code ids} delivered within the window. */
  Set<String> deliveredAmong(Collection<String> ids, Instant now) {
    Set<String> found = new HashSet<>();
    Set<String> open = new HashSet<>(ids);
    long today = day(now);
    for (long d = today; d >= today - windowDays && !open.isEmpty(); d--) {
      Set<String> hit = state.hashes(NAMESPACE + d, open).keySet();
      found.addAll(hit);
      open.removeAll(hit);
    }
    return found;
  }

  /** Marks {@code ids} delivered now, in one store transaction. */
  void mark(Collection<String> ids, Instant now) {
    if (ids.isEmpty()) {
      return;
    }
    Map<String, String> marks = new HashMap<>();
    for (String id : ids) {
      marks.put(id, MARK);
    }
    String ns = NAMESPACE + day(now);
    state.transaction(tx -> tx.putHashes(ns, marks));
  }

  /**
   * Drops the days past the window, once a day; a week of days before it as well, for a forwarder
   * that was stopped across midnight.
   *
   * @return the ids forgotten
   */
  long purge(Instant now) {
    long cutoff = day(now) - windowDays;
    if (cutoff <= purgedBefore) {
      return 0;
    }
    long from = purgedBefore == Long.MIN_VALUE ? cutoff - 7 : purgedBefore;
    long[] n = new long[1];
    state.transaction(
        tx -> {
          for (long d = from; d < cutoff; d++) {
            n[0] += tx.clearHashes(NAMESPACE + d);
          }
        });
    purgedBefore = cutoff;
    return n[0];
  }

  private static long day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay();
  }
}
