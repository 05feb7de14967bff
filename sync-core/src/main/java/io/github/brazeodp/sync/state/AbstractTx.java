package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The writer handed to a transaction callback: it checks and normalises every argument, applies the
 * ledger rules, then calls the store-specific {@code do*} methods.
 *
 * <p>Keeping the rules here, once, is what makes the in-memory and SQLite stores behave
 * identically.
 */
abstract class AbstractTx implements StateWriter {
  private boolean open = true;

  /** Ends the writer's life; later calls fail instead of writing outside any transaction. */
  final void finish() {
    open = false;
  }

  /** Fails unless the calling thread is the one running the transaction. */
  abstract void checkThread();

  private void check() {
    if (!open) {
      throw new IllegalStateException("This transaction has already ended");
    }
    checkThread();
  }

  @Override
  public final void putCheckpoint(String scope, Checkpoint checkpoint) {
    check();
    Args.key(scope, "scope");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Codec.storable(checkpoint.exportRequestedAt(), "exportRequestedAt");
    doPutCheckpoint(scope, checkpoint);
  }

  @Override
  public final boolean clearCheckpoint(String scope) {
    check();
    return doClearCheckpoint(Args.key(scope, "scope"));
  }

  @Override
  public final void putLastSuccess(String scope, Instant at) {
    check();
    Args.key(scope, "scope");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    doPutLastSuccess(scope, at);
  }

  @Override
  public final void putHashes(String namespace, Map<String, String> hashes) {
    check();
    Args.key(namespace, "namespace");
    Objects.requireNonNull(hashes, "hashes");
    Map<String, String> copy = new LinkedHashMap<>();
    hashes.forEach(
        (key, hash) ->
            copy.put(
                Objects.requireNonNull(key, "hash key"),
                Objects.requireNonNull(hash, () -> "hash of " + key)));
    doPutHashes(namespace, copy);
  }

  @Override
  public final long removeHashes(String namespace, Collection<String> keys) {
    check();
    return doRemoveHashes(Args.key(namespace, "namespace"), Args.unique(keys, "keys"));
  }

  @Override
  public final long clearHashes(String namespace) {
    check();
    return doClearHashes(Args.key(namespace, "namespace"));
  }

  @Override
  public final void stageMembers(String segmentId, String runId, Collection<String> memberKeys) {
    check();
    doStageMembers(
        Args.key(segmentId, "segmentId"),
        Args.key(runId, "runId"),
        Args.unique(memberKeys, "memberKeys"));
  }

  @Override
  public final MembershipChange commitMembership(String segmentId, String runId) {
    check();
    return doCommitMembership(Args.key(segmentId, "segmentId"), Args.key(runId, "runId"));
  }

  @Override
  public final MembershipChange addStagedMembers(String segmentId, String runId) {
    check();
    return doAddStagedMembers(Args.key(segmentId, "segmentId"), Args.key(runId, "runId"));
  }

  @Override
  public final long addMembers(String segmentId, Collection<String> memberKeys) {
    check();
    return doAddMembers(Args.key(segmentId, "segmentId"), Args.unique(memberKeys, "memberKeys"));
  }

  @Override
  public final long removeMembers(String segmentId, Collection<String> memberKeys) {
    check();
    return doRemoveMembers(Args.key(segmentId, "segmentId"), Args.unique(memberKeys, "memberKeys"));
  }

  @Override
  public final long discardStagedMembers(String segmentId) {
    check();
    return doDiscardStaged(Args.key(segmentId, "segmentId"));
  }

  @Override
  public final void putIdentities(Collection<IdentityRecord> records) {
    check();
    Objects.requireNonNull(records, "records");
    IdentityBatch batch = normalizeIdentities(records);
    doPutIdentities(batch.records(), batch.releasedExternalIds());
  }

  /**
   * A batch of identity rows reduced to its net effect.
   *
   * @param records one row per Braze id, with distinct non-null external ids
   * @param releasedExternalIds external ids some row of the batch claimed but none holds at the end
   *     (they must leave whichever stored row has them)
   */
  record IdentityBatch(List<IdentityRecord> records, Set<String> releasedExternalIds) {}

  /**
   * Reduces a batch to the result of applying its rows one after the other, so that stores may then
   * apply it with set operations in any order.
   */
  static IdentityBatch normalizeIdentities(Collection<IdentityRecord> records) {
    Map<String, IdentityRecord> byBrazeId = new LinkedHashMap<>();
    Map<String, String> ownerByExternalId = new HashMap<>();
    Set<String> claimed = new LinkedHashSet<>();
    for (IdentityRecord record : records) {
      Objects.requireNonNull(record, "records must not contain null");
      Codec.storable(record.updatedAt(), "updatedAt");
      IdentityRecord previous = byBrazeId.get(record.brazeId());
      if (previous != null
          && previous.externalId() != null
          && !previous.externalId().equals(record.externalId())) {
        ownerByExternalId.remove(previous.externalId());
      }
      if (record.externalId() != null) {
        claimed.add(record.externalId());
        String owner = ownerByExternalId.put(record.externalId(), record.brazeId());
        if (owner != null && !owner.equals(record.brazeId())) {
          byBrazeId.put(owner, byBrazeId.get(owner).withoutExternalId());
        }
      }
      byBrazeId.put(record.brazeId(), record);
    }
    claimed.removeAll(ownerByExternalId.keySet());
    return new IdentityBatch(new ArrayList<>(byBrazeId.values()), claimed);
  }

  @Override
  public final Set<String> markSeen(Collection<String> ids, Instant now) {
    check();
    List<String> unique = Args.unique(ids, "ids");
    Codec.storable(Objects.requireNonNull(now, "now"), "now");
    return doInsertSeen(unique, now);
  }

  @Override
  public final long purgeSeenBefore(Instant cutoff) {
    check();
    return doPurgeSeen(Objects.requireNonNull(cutoff, "cutoff"));
  }

  @Override
  public final long enqueue(Collection<OutboxMessage> messages) {
    check();
    return doEnqueue(firstOfEachId(messages));
  }

  @Override
  public final long enqueueNew(Collection<OutboxMessage> messages) {
    check();
    return doEnqueueNew(firstOfEachId(messages));
  }

  /** The messages checked, the first of each id kept, in order. */
  private static List<OutboxMessage> firstOfEachId(Collection<OutboxMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    Map<String, OutboxMessage> byId = new LinkedHashMap<>();
    for (OutboxMessage message : messages) {
      Objects.requireNonNull(message, "messages must not contain null");
      Codec.storable(message.enqueuedAt(), "enqueuedAt");
      byId.putIfAbsent(message.id(), message);
    }
    return new ArrayList<>(byId.values());
  }

  @Override
  public final long acknowledge(Collection<String> ids) {
    check();
    return doAcknowledge(Args.unique(ids, "ids"));
  }

  final long countAttempts(Collection<String> ids) {
    check();
    return doCountAttempts(Args.unique(ids, "ids"));
  }

  final long deadLetter(Map<String, String> reasonsById, Instant at) {
    check();
    Objects.requireNonNull(reasonsById, "reasonsById");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    Map<String, String> checked = new LinkedHashMap<>();
    reasonsById.forEach(
        (id, reason) -> {
          Objects.requireNonNull(id, "reasonsById must not contain a null id");
          Objects.requireNonNull(reason, "reason of dead letter " + id);
          checked.put(id, reason);
        });
    return doDeadLetter(checked, at);
  }

  final long replayDeadLetters(DeadLetterFilter filter, Instant at) {
    check();
    Objects.requireNonNull(filter, "filter");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    return doReplayDeadLetters(filter, at);
  }

  final long purgeDeadLetters(Instant cutoff) {
    check();
    return doPurgeDeadLetters(Objects.requireNonNull(cutoff, "cutoff"));
  }

  final long park(Collection<ParkedEvent> events) {
    check();
    Objects.requireNonNull(events, "events");
    Map<String, ParkedEvent> byId = new LinkedHashMap<>();
    for (ParkedEvent e : events) {
      Objects.requireNonNull(e, "events must not contain null");
      Codec.storable(e.parkedAt(), "parkedAt");
      byId.putIfAbsent(e.id(), e);
    }
    return doPark(new ArrayList<>(byId.values()));
  }

  final long removeParked(Collection<String> ids) {
    check();
    return doRemoveParked(Args.unique(ids, "ids"));
  }

  final long purgeParked(Instant cutoff, long keep) {
    check();
    Objects.requireNonNull(cutoff, "cutoff");
    if (keep < 0) {
      throw new IllegalArgumentException("keep must not be negative, was " + keep);
    }
    return doPurgeParked(cutoff, keep);
  }

  @Override
  public final LedgerClaim recordPending(
      String activation, String occurrence, Collection<String> customers, Instant at) {
    check();
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    List<String> unique = Args.unique(customers, "customers");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    Map<String, LedgerState> existing = ledgerStates(activation, occurrence, unique);
    List<String> candidates = new ArrayList<>();
    for (String customer : unique) {
      LedgerState state = existing.get(customer);
      if (state == null || state == LedgerState.FAILED) {
        candidates.add(customer);
      }
    }
    Set<String> claimed = doClaim(activation, occurrence, candidates, at);
    // Candidates another host claimed between the read and the write: skipped, in their new state.
    List<String> lost = candidates.stream().filter(c -> !claimed.contains(c)).toList();
    Map<String, LedgerState> now =
        lost.isEmpty() ? Map.of() : ledgerStates(activation, occurrence, lost);
    Map<String, LedgerState> skipped = new LinkedHashMap<>();
    for (String customer : unique) {
      if (!claimed.contains(customer)) {
        LedgerState state = now.get(customer);
        skipped.put(customer, state != null ? state : existing.get(customer));
      }
    }
    return new LedgerClaim(new ArrayList<>(claimed), skipped);
  }

  @Override
  public final void markOutcome(
      String activation,
      String occurrence,
      Collection<String> customers,
      LedgerState outcome,
      String dispatchId,
      String reason,
      Instant at) {
    check();
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    List<String> unique = Args.unique(customers, "customers");
    Objects.requireNonNull(outcome, "outcome");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    if (outcome == LedgerState.PENDING) {
      throw new IllegalArgumentException("PENDING is not an outcome; use recordPending");
    }
    // Validate the whole batch before writing anything, so a bad call changes nothing.
    Map<String, LedgerState> existing = ledgerStates(activation, occurrence, unique);
    for (String customer : unique) {
      LedgerState state = existing.get(customer);
      if (state == null) {
        throw new IllegalStateException(
            "No ledger entry for customer "
                + customer
                + " of "
                + activation
                + "/"
                + occurrence
                + "; record it pending before the send");
      }
      if (!state.canBecome(outcome)) {
        throw new IllegalStateException(
            "Ledger entry for customer "
                + customer
                + " of "
                + activation
                + "/"
                + occurrence
                + " is "
                + state
                + " and cannot become "
                + outcome);
      }
    }
    doMarkOutcome(activation, occurrence, unique, outcome, dispatchId, reason, at);
  }

  @Override
  public final long pendingToUnknown(
      String activation, String occurrence, String reason, Instant at) {
    check();
    Args.key(activation, "activation");
    Args.key(occurrence, "occurrence");
    Codec.storable(Objects.requireNonNull(at, "at"), "at");
    return doPendingToUnknown(activation, occurrence, reason, at);
  }

  @Override
  public final long purgeLedgerBefore(Instant cutoff) {
    check();
    return doPurgeLedger(Objects.requireNonNull(cutoff, "cutoff"));
  }

  @Override
  public final void appendActivity(ActivityRecord record) {
    check();
    Objects.requireNonNull(record, "record");
    Codec.storable(record.start(), "start");
    Codec.storable(record.end(), "end");
    doAppendActivity(record);
  }

  @Override
  public final long purgeActivityBefore(Instant cutoff) {
    check();
    return doPurgeActivity(Objects.requireNonNull(cutoff, "cutoff"));
  }

  abstract void doPutCheckpoint(String scope, Checkpoint checkpoint);

  abstract boolean doClearCheckpoint(String scope);

  abstract void doPutLastSuccess(String scope, Instant at);

  abstract void doPutHashes(String namespace, Map<String, String> hashes);

  abstract long doRemoveHashes(String namespace, List<String> keys);

  abstract long doClearHashes(String namespace);

  abstract void doStageMembers(String segmentId, String runId, List<String> keys);

  abstract MembershipChange doCommitMembership(String segmentId, String runId);

  abstract long doDiscardStaged(String segmentId);

  abstract MembershipChange doAddStagedMembers(String segmentId, String runId);

  abstract long doAddMembers(String segmentId, List<String> keys);

  abstract long doRemoveMembers(String segmentId, List<String> keys);

  /**
   * Takes {@code releasedExternalIds} away from the rows holding them, then stores rows with
   * distinct Braze ids and distinct non-null external ids, each taking its external id from any
   * other row.
   */
  abstract void doPutIdentities(List<IdentityRecord> records, Set<String> releasedExternalIds);

  /**
   * Inserts the distinct ids not yet seen; the store's key decides, also against other hosts.
   *
   * @return the ids this call inserted, in the order given
   */
  abstract Set<String> doInsertSeen(List<String> ids, Instant now);

  abstract long doPurgeSeen(Instant cutoff);

  /** Appends messages with distinct ids, skipping ids already queued. */
  abstract long doEnqueue(List<OutboxMessage> messages);

  /**
   * Appends messages with distinct ids none of which is queued (the caller marked them seen for the
   * first time in this transaction); a store may keep them together.
   */
  abstract long doEnqueueNew(List<OutboxMessage> messages);

  abstract long doAcknowledge(List<String> ids);

  abstract long doCountAttempts(List<String> ids);

  /** Adds events with distinct ids, skipping ids already parked. */
  abstract long doPark(List<ParkedEvent> events);

  abstract long doRemoveParked(List<String> ids);

  abstract long doPurgeParked(Instant cutoff, long keep);

  /** Moves the queued messages among the ids to the dead letters, replacing same-id letters. */
  abstract long doDeadLetter(Map<String, String> reasonsById, Instant at);

  abstract long doReplayDeadLetters(DeadLetterFilter filter, Instant at);

  abstract long doPurgeDeadLetters(Instant cutoff);

  abstract Map<String, LedgerState> ledgerStates(
      String activation, String occurrence, List<String> customers);

  /**
   * Records customers as pending where they have no entry or a failed one; the store's key decides,
   * also against other hosts claiming at the same time.
   *
   * @return the customers this call claimed, in the order given
   */
  abstract Set<String> doClaim(
      String activation, String occurrence, List<String> customers, Instant at);

  abstract void doMarkOutcome(
      String activation,
      String occurrence,
      List<String> customers,
      LedgerState outcome,
      String dispatchId,
      String reason,
      Instant at);

  abstract long doPendingToUnknown(String activation, String occurrence, String reason, Instant at);

  abstract long doPurgeLedger(Instant cutoff);

  abstract void doAppendActivity(ActivityRecord record);

  abstract long doPurgeActivity(Instant cutoff);
}
