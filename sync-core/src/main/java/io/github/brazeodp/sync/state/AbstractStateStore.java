package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The store-level writes, each run as a transaction of its own through {@link #transactionResult}.
 */
abstract class AbstractStateStore implements SyncStateStore {

  @Override
  public final void transaction(Consumer<? super StateWriter> work) {
    Objects.requireNonNull(work, "work");
    transactionResult(
        tx -> {
          work.accept(tx);
          return null;
        });
  }

  @Override
  public void putCheckpoint(String scope, Checkpoint checkpoint) {
    transaction(tx -> tx.putCheckpoint(scope, checkpoint));
  }

  @Override
  public boolean clearCheckpoint(String scope) {
    return transactionResult(tx -> tx.clearCheckpoint(scope));
  }

  @Override
  public void putLastSuccess(String scope, Instant at) {
    transaction(tx -> tx.putLastSuccess(scope, at));
  }

  @Override
  public void putHashes(String namespace, Map<String, String> hashes) {
    transaction(tx -> tx.putHashes(namespace, hashes));
  }

  @Override
  public long removeHashes(String namespace, Collection<String> keys) {
    return transactionResult(tx -> tx.removeHashes(namespace, keys));
  }

  @Override
  public long clearHashes(String namespace) {
    return transactionResult(tx -> tx.clearHashes(namespace));
  }

  @Override
  public void stageMembers(String segmentId, String runId, Collection<String> memberKeys) {
    transaction(tx -> tx.stageMembers(segmentId, runId, memberKeys));
  }

  @Override
  public MembershipChange commitMembership(String segmentId, String runId) {
    return transactionResult(tx -> tx.commitMembership(segmentId, runId));
  }

  @Override
  public MembershipChange addStagedMembers(String segmentId, String runId) {
    return transactionResult(tx -> tx.addStagedMembers(segmentId, runId));
  }

  @Override
  public long addMembers(String segmentId, Collection<String> memberKeys) {
    return transactionResult(tx -> tx.addMembers(segmentId, memberKeys));
  }

  @Override
  public long removeMembers(String segmentId, Collection<String> memberKeys) {
    return transactionResult(tx -> tx.removeMembers(segmentId, memberKeys));
  }

  @Override
  public long discardStagedMembers(String segmentId) {
    return transactionResult(tx -> tx.discardStagedMembers(segmentId));
  }

  @Override
  public void putIdentities(Collection<IdentityRecord> records) {
    transaction(tx -> tx.putIdentities(records));
  }

  @Override
  public Set<String> markSeen(Collection<String> ids, Instant now) {
    return transactionResult(tx -> tx.markSeen(ids, now));
  }

  @Override
  public long purgeSeenBefore(Instant cutoff) {
    return transactionResult(tx -> tx.purgeSeenBefore(cutoff));
  }

  @Override
  public long enqueue(Collection<OutboxMessage> messages) {
    return transactionResult(tx -> tx.enqueue(messages));
  }

  @Override
  public long enqueueNew(Collection<OutboxMessage> messages) {
    return transactionResult(tx -> tx.enqueueNew(messages));
  }

  @Override
  public long acknowledge(Collection<String> ids) {
    return transactionResult(tx -> tx.acknowledge(ids));
  }

  @Override
  public long countAttempts(Collection<String> ids) {
    return transactionResult(tx -> ((AbstractTx) tx).countAttempts(ids));
  }

  @Override
  public long deadLetter(Map<String, String> reasonsById, Instant at) {
    return transactionResult(tx -> ((AbstractTx) tx).deadLetter(reasonsById, at));
  }

  @Override
  public long replayDeadLetters(DeadLetterFilter filter, Instant at) {
    return transactionResult(tx -> ((AbstractTx) tx).replayDeadLetters(filter, at));
  }

  @Override
  public long purgeDeadLetters(Instant cutoff) {
    return transactionResult(tx -> ((AbstractTx) tx).purgeDeadLetters(cutoff));
  }

  @Override
  public long park(Collection<ParkedEvent> events) {
    return transactionResult(tx -> ((AbstractTx) tx).park(events));
  }

  @Override
  public long removeParked(Collection<String> ids) {
    return transactionResult(tx -> ((AbstractTx) tx).removeParked(ids));
  }

  @Override
  public long purgeParked(Instant cutoff, long keep) {
    return transactionResult(tx -> ((AbstractTx) tx).purgeParked(cutoff, keep));
  }

  @Override
  public LedgerClaim recordPending(
      String activation, String occurrence, Collection<String> customers, Instant at) {
    return transactionResult(tx -> tx.recordPending(activation, occurrence, customers, at));
  }

  @Override
  public void markOutcome(
      String activation,
      String occurrence,
      Collection<String> customers,
      LedgerState outcome,
      String dispatchId,
      String reason,
      Instant at) {
    transaction(
        tx -> tx.markOutcome(activation, occurrence, customers, outcome, dispatchId, reason, at));
  }

  @Override
  public long pendingToUnknown(String activation, String occurrence, String reason, Instant at) {
    return transactionResult(tx -> tx.pendingToUnknown(activation, occurrence, reason, at));
  }

  @Override
  public long purgeLedgerBefore(Instant cutoff) {
    return transactionResult(tx -> tx.purgeLedgerBefore(cutoff));
  }

  @Override
  public void appendActivity(ActivityRecord record) {
    transaction(tx -> tx.appendActivity(record));
  }

  @Override
  public long purgeActivityBefore(Instant cutoff) {
    return transactionResult(tx -> tx.purgeActivityBefore(cutoff));
  }
}
