package io.github.brazeodp.sync.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The in-memory store: plain collections behind one lock.
 *
 * <p>Transactions write to the live collections and push an undo step for every change; a failing
 * transaction replays the undo steps back to where it started. That gives all-or-nothing commits,
 * nested transactions and read-your-writes without copying the state, which may hold millions of
 * hashes.
 */
final class InMemoryStateStore extends AbstractStateStore {
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Runnable> undo = new ArrayDeque<>();
  private boolean closed;

  private final Map<String, Checkpoint> checkpoints = new HashMap<>();
  private final Map<String, Instant> lastSuccess = new HashMap<>();
  private final Map<String, Map<String, String>> hashes = new HashMap<>();
  private final Map<String, NavigableSet<String>> members = new HashMap<>();
  private final Map<String, Map<String, NavigableSet<String>>> staged = new HashMap<>();
  private final Map<String, IdentityRecord> identitiesByBrazeId = new HashMap<>();
  private final Map<String, String> brazeIdByExternalId = new HashMap<>();
  private final Map<String, Instant> seen = new HashMap<>();
  // Keyed by sequence so that undoing an acknowledge puts a message back in its place.
  private final TreeMap<Long, OutboxMessage> outbox = new TreeMap<>();
  private final Map<String, Long> outboxSeqById = new HashMap<>();
  // Outbox message id to its claim; removed with the message or when it is released.
  private final Map<String, Claim> claims = new HashMap<>();

  private record Claim(String owner, Instant until) {}

  private long nextOutboxSeq;
  // Kept as a running total: a receiver checks the size on every delivery.
  private long outboxBytes;
  // Keyed by sequence (order of death); the id index finds a letter to replace or replay.
  private final TreeMap<Long, DeadLetter> deadLetters = new TreeMap<>();
  private final Map<String, Long> deadSeqById = new HashMap<>();
  private long nextDeadSeq;
  private final TreeMap<Long, ParkedEvent> parked = new TreeMap<>();
  private final Map<String, Long> parkedSeqById = new HashMap<>();
  private long nextParkedSeq;
  private final Map<String, Map<String, NavigableMap<String, LedgerEntry>>> ledger =
      new HashMap<>();
  private final TreeMap<Long, ActivityRecord> activity = new TreeMap<>();
  private final Map<String, Long> activitySeqById = new HashMap<>();
  private long nextActivitySeq;
  private final Map<String, RunLease> runLocks = new HashMap<>();

  @Override
  public <T> T transactionResult(Function<? super StateWriter, ? extends T> work) {
    Objects.requireNonNull(work, "work");
    lock.lock();
    try {
      ensureOpen();
      boolean outermost = lock.getHoldCount() == 1;
      int mark = undo.size();
      Tx tx = new Tx();
      try {
        T result = work.apply(tx);
        if (outermost) {
          undo.clear();
        }
        return result;
      } catch (RuntimeException | Error e) {
        while (undo.size() > mark) {
          undo.pop().run();
        }
        throw e;
      } finally {
        tx.finish();
      }
    } finally {
      lock.unlock();
    }
  }

  private <T> T read(Supplier<T> query) {
    lock.lock();
    try {
      ensureOpen();
      return query.get();
    } finally {
      lock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The state store is closed");
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  // ---- Undoable primitives ----------------------------------------------------------------------

  private <K, V> void put(Map<K, V> map, K key, V value) {
    boolean had = map.containsKey(key);
    V old = map.put(key, value);
    undo.push(had ? () -> map.put(key, old) : () -> map.remove(key));
  }

  private <K, V> V remove(Map<K, V> map, K key) {
    if (!map.containsKey(key)) {
      return null;
    }
    V old = map.remove(key);
    undo.push(() -> map.put(key, old));
    return old;
  }

  private void addOutboxBytes(long delta) {
    outboxBytes += delta;
    undo.push(() -> outboxBytes -= delta);
  }

  private <E> boolean add(Set<E> set, E element) {
    if (!set.add(element)) {
      return false;
    }
    undo.push(() -> set.remove(element));
    return true;
  }

  private <E> boolean removeElement(Set<E> set, E element) {
    if (!set.remove(element)) {
      return false;
    }
    undo.push(() -> set.add(element));
    return true;
  }

  // ---- Reads ------------------------------------------------------------------------------------

  @Override
  public Optional<Checkpoint> checkpoint(String scope) {
    Args.key(scope, "scope");
    return read(() -> Optional.ofNullable(checkpoints.get(scope)));
  }

  @Override
  public Optional<Instant> lastSuccess(String scope) {
    Args.key(scope, "scope");
    return read(() -> Optional.ofNullable(lastSuccess.get(scope)));
  }

  @Override
  public Map<String, String> hashes(String namespace, Collection<String> keys) {
    Args.key(namespace, "namespace");
    List<String> unique = Args.unique(keys, "keys");
    return read(
        () -> {
          Map<String, String> stored = hashes.getOrDefault(namespace, Map.of());
          Map<String, String> found = new HashMap<>();
          for (String key : unique) {
            String hash = stored.get(key);
            if (hash != null) {
              found.put(key, hash);
            }
          }
          return found;
        });
  }

  @Override
  public long hashCount(String namespace) {
    Args.key(namespace, "namespace");
    return read(() -> (long) hashes.getOrDefault(namespace, Map.of()).size());
  }

  private NavigableSet<String> currentMembers(String segmentId) {
    return members.getOrDefault(segmentId, new TreeSet<>(Codec.CODE_POINT_ORDER));
  }

  private NavigableSet<String> stagedMembers(String segmentId, String runId) {
    return staged
        .getOrDefault(segmentId, Map.of())
        .getOrDefault(runId, new TreeSet<>(Codec.CODE_POINT_ORDER));
  }

  @Override
  public long memberCount(String segmentId) {
    Args.key(segmentId, "segmentId");
    return read(() -> (long) currentMembers(segmentId).size());
  }

  @Override
  public Set<String> membersAmong(String segmentId, Collection<String> keys) {
    Args.key(segmentId, "segmentId");
    List<String> unique = Args.unique(keys, "keys");
    return read(
        () -> {
          Set<String> current = currentMembers(segmentId);
          Set<String> found = new HashSet<>();
          for (String key : unique) {
            if (current.contains(key)) {
              found.add(key);
            }
          }
          return found;
        });
  }

  private static List<String> page(
      NavigableSet<String> keys, String afterKey, int limit, Predicate<String> include) {
    Iterable<String> tail = afterKey == null ? keys : keys.tailSet(afterKey, false);
    List<String> page = new ArrayList<>();
    Iterator<String> it = tail.iterator();
    while (page.size() < limit && it.hasNext()) {
      String key = it.next();
      if (include.test(key)) {
        page.add(key);
      }
    }
    return page;
  }

  @Override
  public List<String> membersPage(String segmentId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.limit(limit);
    return read(() -> page(currentMembers(segmentId), afterKey, limit, key -> true));
  }

  @Override
  public long stagedCount(String segmentId, String runId) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    return read(() -> (long) stagedMembers(segmentId, runId).size());
  }

  @Override
  public List<String> enteredPage(String segmentId, String runId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    Args.limit(limit);
    return read(
        () -> {
          Set<String> current = currentMembers(segmentId);
          return page(
              stagedMembers(segmentId, runId), afterKey, limit, key -> !current.contains(key));
        });
  }

  @Override
  public List<String> exitedPage(String segmentId, String runId, String afterKey, int limit) {
    Args.key(segmentId, "segmentId");
    Args.key(runId, "runId");
    Args.limit(limit);
    return read(
        () -> {
          Set<String> next = stagedMembers(segmentId, runId);
          return page(currentMembers(segmentId), afterKey, limit, key -> !next.contains(key));
        });
  }

  @Override
  public Optional<IdentityRecord> identityByBrazeId(String brazeId) {
    Args.key(brazeId, "brazeId");
    return read(() -> Optional.ofNullable(identitiesByBrazeId.get(brazeId)));
  }

  @Override
  public Map<String, IdentityRecord> identitiesByBrazeIds(Collection<String> brazeIds) {
    List<String> unique = Args.unique(brazeIds, "brazeIds");
    return read(
        () -> {
          Map<String, IdentityRecord> found = new HashMap<>();
          for (String id : unique) {
            IdentityRecord r = identitiesByBrazeId.get(id);
            if (r != null) {
              found.put(id, r);
            }
          }
          return found;
        });
  }

  @Override
  public Optional<IdentityRecord> identityByExternalId(String externalId) {
    Args.key(externalId, "externalId");
    return read(
        () ->
            Optional.ofNullable(brazeIdByExternalId.get(externalId)).map(identitiesByBrazeId::get));
  }

  @Override
  public List<OutboxMessage> peekOutbox(int limit) {
    Args.limit(limit);
    return read(() -> outbox.values().stream().limit(limit).toList());
  }

  @Override
  public List<OutboxMessage> claimOutbox(String owner, int limit, Instant now, Duration lease) {
    Args.key(owner, "owner");
    Args.limit(limit);
    Objects.requireNonNull(now, "now");
    Args.lease(lease);
    Instant until = Codec.fromNanos(Codec.clampNanos(now.plus(lease)));
    Instant current = Codec.fromNanos(Codec.clampNanos(now));
    return transactionResult(
        tx -> {
          List<OutboxMessage> claimed = new ArrayList<>();
          for (OutboxMessage m : outbox.values()) {
            if (claimed.size() == limit) {
              break;
            }
            Claim held = claims.get(m.id());
            if (held == null || !held.until().isAfter(current) || held.owner().equals(owner)) {
              put(claims, m.id(), new Claim(owner, until));
              claimed.add(m);
            }
          }
          return claimed;
        });
  }

  @Override
  public OutboxSize outboxSize() {
    return read(() -> new OutboxSize(outbox.size(), outboxBytes));
  }

  @Override
  public List<DeadLetter> deadLetters(DeadLetterFilter filter, int limit) {
    Objects.requireNonNull(filter, "filter");
    Args.limit(limit);
    return read(() -> deadLetters.values().stream().filter(filter::matches).limit(limit).toList());
  }

  @Override
  public long deadLetterCount() {
    return read(() -> (long) deadLetters.size());
  }

  @Override
  public List<ParkedEvent> parkedMatched(int limit) {
    Args.limit(limit);
    return read(
        () ->
            parked.values().stream()
                .filter(
                    e ->
                        (e.brazeId() != null && identitiesByBrazeId.containsKey(e.brazeId()))
                            || (e.externalId() != null
                                && brazeIdByExternalId.containsKey(e.externalId())))
                .limit(limit)
                .toList());
  }

  @Override
  public long parkedCount() {
    return read(() -> (long) parked.size());
  }

  private NavigableMap<String, LedgerEntry> occurrence(String activation, String occurrence) {
    return ledger
        .getOrDefault(activation, Map.of())
        .getOrDefault(occurrence, new TreeMap<>(Codec.CODE_POINT_ORDER));
  }

  @Override
  public Optional<LedgerEntry> ledgerEntry(String activation, String occurrence, String customer) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    Args.key(customer, "customer");
    return read(() -> Optional.ofNullable(occurrence(activation, occurrence).get(customer)));
  }

  @Override
  public List<LedgerEntry> ledgerEntries(
      String activation, String occurrence, Set<LedgerState> states) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    Objects.requireNonNull(states, "states");
    return read(
        () ->
            occurrence(activation, occurrence).values().stream()
                .filter(entry -> states.contains(entry.state()))
                .toList());
  }

  @Override
  public List<LedgerEntry> ledgerEntries(String activation, Set<LedgerState> states, int limit) {
    Args.key(activation, "activation");
    Objects.requireNonNull(states, "states");
    Args.limit(limit);
    return read(
        () -> {
          TreeMap<String, NavigableMap<String, LedgerEntry>> byOccurrence =
              new TreeMap<>(Codec.CODE_POINT_ORDER);
          byOccurrence.putAll(ledger.getOrDefault(activation, Map.of()));
          return byOccurrence.values().stream()
              .flatMap(m -> m.values().stream())
              .filter(entry -> states.contains(entry.state()))
              .limit(limit)
              .toList();
        });
  }

  @Override
  public Map<LedgerState, Long> ledgerCounts(String activation, String occurrence) {
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    return read(
        () -> {
          Map<LedgerState, Long> counts = new EnumMap<>(LedgerState.class);
          for (LedgerState state : LedgerState.values()) {
            counts.put(state, 0L);
          }
          occurrence(activation, occurrence)
              .values()
              .forEach(e -> counts.merge(e.state(), 1L, Long::sum));
          return counts;
        });
  }

  private long countSends(String activation, Instant since, Predicate<LedgerEntry> filter) {
    return ledger.getOrDefault(activation, Map.of()).values().stream()
        .flatMap(entries -> entries.values().stream())
        .filter(e -> e.state().mayHaveBeenSent() && !e.attemptedAt().isBefore(since))
        .filter(filter)
        .count();
  }

  @Override
  public long sendsToCustomerSince(String activation, String customer, Instant since) {
    Args.key(activation, "activation");
    Args.key(customer, "customer");
    Objects.requireNonNull(since, "since");
    return read(() -> countSends(activation, since, e -> e.customer().equals(customer)));
  }

  @Override
  public long sendsSince(String activation, Instant since) {
    Args.key(activation, "activation");
    Objects.requireNonNull(since, "since");
    return read(() -> countSends(activation, since, e -> true));
  }

  @Override
  public RunLease tryLock(String scope, String owner, Instant now, Duration lease) {
    Args.key(scope, "scope");
    Args.key(owner, "owner");
    Objects.requireNonNull(now, "now");
    Args.lease(lease);
    return transactionResult(
        tx -> {
          RunLease held = runLocks.get(scope);
          if (held != null && !held.owner().equals(owner) && !held.expiredAt(now)) {
            return held;
          }
          Instant since = held != null && held.owner().equals(owner) ? held.acquiredAt() : now;
          RunLease taken = new RunLease(scope, owner, since, now.plus(lease));
          put(runLocks, scope, taken);
          return taken;
        });
  }

  @Override
  public boolean unlock(String scope, String owner) {
    Args.key(scope, "scope");
    Args.key(owner, "owner");
    return transactionResult(
        tx -> {
          RunLease held = runLocks.get(scope);
          if (held == null || !held.owner().equals(owner)) {
            return false;
          }
          remove(runLocks, scope);
          return true;
        });
  }

  @Override
  public Optional<RunLease> runLock(String scope) {
    Args.key(scope, "scope");
    return read(() -> Optional.ofNullable(runLocks.get(scope)));
  }

  @Override
  public List<ActivityRecord> recentActivity(int limit) {
    Args.limit(limit);
    return read(() -> activity.descendingMap().values().stream().limit(limit).toList());
  }

  @Override
  public List<ActivityRecord> recentActivity(ActivityRecord.Flow flow, int limit) {
    Objects.requireNonNull(flow, "flow");
    Args.limit(limit);
    return read(
        () ->
            activity.descendingMap().values().stream()
                .filter(r -> r.flow() == flow)
                .limit(limit)
                .toList());
  }

  // ---- Writes -----------------------------------------------------------------------------------

  /** The transaction's writer; every change goes through an undoable primitive. */
  private final class Tx extends AbstractTx {

    @Override
    void checkThread() {
      if (!lock.isHeldByCurrentThread()) {
        throw new IllegalStateException("A transaction must be used by the thread that runs it");
      }
    }

    @Override
    void doPutCheckpoint(String scope, Checkpoint checkpoint) {
      put(checkpoints, scope, checkpoint);
    }

    @Override
    boolean doClearCheckpoint(String scope) {
      return remove(checkpoints, scope) != null;
    }

    @Override
    void doPutLastSuccess(String scope, Instant at) {
      put(lastSuccess, scope, at);
    }

    @Override
    void doPutHashes(String namespace, Map<String, String> values) {
      Map<String, String> stored = hashes.computeIfAbsent(namespace, n -> new HashMap<>());
      values.forEach((key, hash) -> put(stored, key, hash));
    }

    @Override
    long doRemoveHashes(String namespace, List<String> keys) {
      Map<String, String> stored = hashes.getOrDefault(namespace, new HashMap<>());
      long removed = 0;
      for (String key : keys) {
        if (remove(stored, key) != null) {
          removed++;
        }
      }
      return removed;
    }

    @Override
    long doClearHashes(String namespace) {
      Map<String, String> removed = remove(hashes, namespace);
      return removed == null ? 0 : removed.size();
    }

    @Override
    void doStageMembers(String segmentId, String runId, List<String> keys) {
      NavigableSet<String> set =
          staged
              .computeIfAbsent(segmentId, s -> new HashMap<>())
              .computeIfAbsent(runId, r -> new TreeSet<>(Codec.CODE_POINT_ORDER));
      keys.forEach(key -> add(set, key));
    }

    @Override
    MembershipChange doCommitMembership(String segmentId, String runId) {
      NavigableSet<String> next = stagedMembers(segmentId, runId);
      NavigableSet<String> current =
          members.computeIfAbsent(segmentId, s -> new TreeSet<>(Codec.CODE_POINT_ORDER));
      long exited = 0;
      for (String key : new ArrayList<>(current)) {
        if (!next.contains(key) && removeElement(current, key)) {
          exited++;
        }
      }
      long entered = 0;
      for (String key : next) {
        if (add(current, key)) {
          entered++;
        }
      }
      remove(staged, segmentId);
      return new MembershipChange(entered, exited);
    }

    @Override
    MembershipChange doAddStagedMembers(String segmentId, String runId) {
      NavigableSet<String> next = stagedMembers(segmentId, runId);
      long entered = 0;
      if (!next.isEmpty()) {
        NavigableSet<String> current =
            members.computeIfAbsent(segmentId, s -> new TreeSet<>(Codec.CODE_POINT_ORDER));
        for (String key : next) {
          if (add(current, key)) {
            entered++;
          }
        }
      }
      remove(staged, segmentId);
      return new MembershipChange(entered, 0);
    }

    @Override
    long doAddMembers(String segmentId, List<String> keys) {
      NavigableSet<String> current =
          members.computeIfAbsent(segmentId, s -> new TreeSet<>(Codec.CODE_POINT_ORDER));
      long added = 0;
      for (String key : keys) {
        if (add(current, key)) {
          added++;
        }
      }
      return added;
    }

    @Override
    long doRemoveMembers(String segmentId, List<String> keys) {
      NavigableSet<String> current = members.get(segmentId);
      long removed = 0;
      if (current != null) {
        for (String key : keys) {
          if (removeElement(current, key)) {
            removed++;
          }
        }
      }
      return removed;
    }

    @Override
    long doDiscardStaged(String segmentId) {
      Map<String, NavigableSet<String>> runs = remove(staged, segmentId);
      return runs == null ? 0 : runs.values().stream().mapToLong(Set::size).sum();
    }

    @Override
    void doPutIdentities(List<IdentityRecord> records, Set<String> releasedExternalIds) {
      for (String externalId : releasedExternalIds) {
        String owner = remove(brazeIdByExternalId, externalId);
        if (owner != null) {
          put(identitiesByBrazeId, owner, identitiesByBrazeId.get(owner).withoutExternalId());
        }
      }
      for (IdentityRecord record : records) {
        IdentityRecord previous = identitiesByBrazeId.get(record.brazeId());
        if (previous != null
            && Objects.equals(previous.externalId(), record.externalId())
            && previous.identifiers().equals(record.identifiers())) {
          continue; // unchanged: the stored row keeps its time, as in the SQL stores
        }
        if (previous != null
            && previous.externalId() != null
            && !previous.externalId().equals(record.externalId())) {
          remove(brazeIdByExternalId, previous.externalId());
        }
        if (record.externalId() != null) {
          String owner = brazeIdByExternalId.get(record.externalId());
          if (owner != null && !owner.equals(record.brazeId())) {
            put(identitiesByBrazeId, owner, identitiesByBrazeId.get(owner).withoutExternalId());
          }
          put(brazeIdByExternalId, record.externalId(), record.brazeId());
        }
        put(identitiesByBrazeId, record.brazeId(), record);
      }
    }

    @Override
    Set<String> doInsertSeen(List<String> ids, Instant now) {
      Set<String> inserted = new LinkedHashSet<>();
      for (String id : ids) {
        if (!seen.containsKey(id)) {
          put(seen, id, now);
          inserted.add(id);
        }
      }
      return inserted;
    }

    @Override
    long doPurgeSeen(Instant cutoff) {
      List<String> expired =
          seen.entrySet().stream()
              .filter(e -> e.getValue().isBefore(cutoff))
              .map(Map.Entry::getKey)
              .toList();
      expired.forEach(id -> remove(seen, id));
      return expired.size();
    }

    @Override
    long doEnqueueNew(List<OutboxMessage> messages) {
      return doEnqueue(messages); // one message per entry: there are no rows to save here
    }

    @Override
    long doEnqueue(List<OutboxMessage> messages) {
      long added = 0;
      for (OutboxMessage message : messages) {
        if (!outboxSeqById.containsKey(message.id())) {
          long seq = nextOutboxSeq++;
          put(outbox, seq, message);
          put(outboxSeqById, message.id(), seq);
          addOutboxBytes(message.sizeInBytes());
          added++;
        }
      }
      return added;
    }

    @Override
    long doAcknowledge(List<String> ids) {
      long removed = 0;
      for (String id : ids) {
        Long seq = remove(outboxSeqById, id);
        if (seq != null) {
          remove(claims, id);
          addOutboxBytes(-remove(outbox, seq).sizeInBytes());
          removed++;
        }
      }
      return removed;
    }

    @Override
    long doCountAttempts(List<String> ids) {
      long updated = 0;
      for (String id : ids) {
        Long seq = outboxSeqById.get(id);
        if (seq != null) {
          OutboxMessage m = outbox.get(seq);
          // Released: an unconfirmed message is for any forwarder to send again.
          remove(claims, id);
          put(
              outbox,
              seq,
              new OutboxMessage(m.id(), m.payload(), m.enqueuedAt(), m.attempts() + 1));
          updated++;
        }
      }
      return updated;
    }

    @Override
    long doPark(List<ParkedEvent> events) {
      long added = 0;
      for (ParkedEvent e : events) {
        if (!parkedSeqById.containsKey(e.id())) {
          long seq = nextParkedSeq++;
          put(parked, seq, e);
          put(parkedSeqById, e.id(), seq);
          added++;
        }
      }
      return added;
    }

    @Override
    long doRemoveParked(List<String> ids) {
      long removed = 0;
      for (String id : ids) {
        Long seq = remove(parkedSeqById, id);
        if (seq != null) {
          remove(parked, seq);
          removed++;
        }
      }
      return removed;
    }

    @Override
    long doPurgeParked(Instant cutoff, long keep) {
      List<String> dropped = new ArrayList<>();
      for (ParkedEvent e : parked.values()) {
        if (e.parkedAt().isBefore(cutoff)) {
          dropped.add(e.id());
        }
      }
      long left = parked.size() - dropped.size();
      for (ParkedEvent e : parked.values()) {
        if (left <= keep) {
          break;
        }
        if (!e.parkedAt().isBefore(cutoff)) {
          dropped.add(e.id());
          left--;
        }
      }
      return doRemoveParked(dropped);
    }

    @Override
    long doDeadLetter(Map<String, String> reasonsById, Instant at) {
      long moved = 0;
      for (Map.Entry<String, String> e : reasonsById.entrySet()) {
        Long seq = remove(outboxSeqById, e.getKey());
        if (seq == null) {
          continue;
        }
        OutboxMessage m = remove(outbox, seq);
        remove(claims, m.id());
        addOutboxBytes(-m.sizeInBytes());
        Long previous = remove(deadSeqById, m.id());
        if (previous != null) {
          remove(deadLetters, previous);
        }
        long deadSeq = nextDeadSeq++;
        put(
            deadLetters,
            deadSeq,
            new DeadLetter(m.id(), m.payload(), m.enqueuedAt(), at, e.getValue(), m.attempts()));
        put(deadSeqById, m.id(), deadSeq);
        moved++;
      }
      return moved;
    }

    @Override
    long doReplayDeadLetters(DeadLetterFilter filter, Instant at) {
      List<DeadLetter> chosen = deadLetters.values().stream().filter(filter::matches).toList();
      List<OutboxMessage> messages = new ArrayList<>(chosen.size());
      for (DeadLetter d : chosen) {
        remove(deadLetters, remove(deadSeqById, d.id()));
        messages.add(new OutboxMessage(d.id(), d.payload(), at));
      }
      doEnqueue(messages);
      return chosen.size();
    }

    @Override
    long doPurgeDeadLetters(Instant cutoff) {
      List<DeadLetter> expired =
          deadLetters.values().stream().filter(d -> d.deadAt().isBefore(cutoff)).toList();
      for (DeadLetter d : expired) {
        remove(deadLetters, remove(deadSeqById, d.id()));
      }
      return expired.size();
    }

    private NavigableMap<String, LedgerEntry> writableOccurrence(
        String activation, String occurrence) {
      return ledger
          .computeIfAbsent(activation, a -> new HashMap<>())
          .computeIfAbsent(occurrence, o -> new TreeMap<>(Codec.CODE_POINT_ORDER));
    }

    @Override
    Map<String, LedgerState> ledgerStates(
        String activation, String occurrence, List<String> customers) {
      Map<String, LedgerEntry> entries = occurrence(activation, occurrence);
      Map<String, LedgerState> states = new HashMap<>();
      for (String customer : customers) {
        LedgerEntry entry = entries.get(customer);
        if (entry != null) {
          states.put(customer, entry.state());
        }
      }
      return states;
    }

    @Override
    Set<String> doClaim(String activation, String occurrence, List<String> customers, Instant at) {
      // The store's lock serialises writers: the states read before are still current.
      Map<String, LedgerEntry> entries = writableOccurrence(activation, occurrence);
      for (String customer : customers) {
        put(
            entries,
            customer,
            new LedgerEntry(
                activation, occurrence, customer, LedgerState.PENDING, at, at, null, null));
      }
      return new LinkedHashSet<>(customers);
    }

    @Override
    void doMarkOutcome(
        String activation,
        String occurrence,
        List<String> customers,
        LedgerState outcome,
        String dispatchId,
        String reason,
        Instant at) {
      Map<String, LedgerEntry> entries = writableOccurrence(activation, occurrence);
      for (String customer : customers) {
        LedgerEntry entry = entries.get(customer);
        put(
            entries,
            customer,
            new LedgerEntry(
                activation,
                occurrence,
                customer,
                outcome,
                entry.attemptedAt(),
                at,
                dispatchId,
                reason));
      }
    }

    @Override
    long doPendingToUnknown(String activation, String occurrence, String reason, Instant at) {
      Map<String, LedgerEntry> entries = occurrence(activation, occurrence);
      List<LedgerEntry> pending =
          entries.values().stream().filter(e -> e.state() == LedgerState.PENDING).toList();
      for (LedgerEntry e : pending) {
        put(
            entries,
            e.customer(),
            new LedgerEntry(
                activation,
                occurrence,
                e.customer(),
                LedgerState.UNKNOWN,
                e.attemptedAt(),
                at,
                e.dispatchId(),
                reason));
      }
      return pending.size();
    }

    @Override
    long doPurgeLedger(Instant cutoff) {
      long removed = 0;
      for (Map<String, NavigableMap<String, LedgerEntry>> occurrences : ledger.values()) {
        for (NavigableMap<String, LedgerEntry> entries : occurrences.values()) {
          List<String> expired =
              entries.values().stream()
                  .filter(
                      e ->
                          (e.state() == LedgerState.SENT || e.state() == LedgerState.FAILED)
                              && e.updatedAt().isBefore(cutoff))
                  .map(LedgerEntry::customer)
                  .toList();
          for (String customer : expired) {
            remove(entries, customer);
            removed++;
          }
        }
      }
      return removed;
    }

    @Override
    void doAppendActivity(ActivityRecord record) {
      Long seq = activitySeqById.get(record.id());
      if (seq == null) {
        seq = nextActivitySeq++;
        put(activitySeqById, record.id(), seq);
      }
      put(activity, seq, record);
    }

    @Override
    long doPurgeActivity(Instant cutoff) {
      // Copied out: a TreeMap entry may change its contents when another entry is removed.
      List<Map.Entry<Long, ActivityRecord>> expired =
          activity.entrySet().stream()
              .filter(e -> e.getValue().end().isBefore(cutoff))
              .map(e -> Map.entry(e.getKey(), e.getValue()))
              .toList();
      for (Map.Entry<Long, ActivityRecord> e : expired) {
        remove(activity, e.getKey());
        remove(activitySeqById, e.getValue().id());
      }
      return expired.size();
    }
  }
}
