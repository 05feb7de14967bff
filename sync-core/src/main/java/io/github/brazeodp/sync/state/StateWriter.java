package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The write operations of a {@link SyncStateStore}.
 *
 * <p>Called on the store, each operation is a transaction of its own. Called on the writer that
 * {@link SyncStateStore#transaction} passes to its callback, the operations commit together when
 * the callback returns and none of them is kept when it throws. That is how a flow commits the
 * hashes of accepted rows, its checkpoint and identity rows at one commit point.
 *
 * <p>Operations taking a collection ignore repeated elements after the first, except where noted.
 * Time is always passed in by the caller; the store never reads a clock.
 */
public interface StateWriter {

  /**
   * Stores the checkpoint of a scope, replacing any previous one.
   *
   * @param scope the flow's scope, for example {@code "segment-sync/<segmentId>"}
   * @param checkpoint the progress to store
   */
  void putCheckpoint(String scope, Checkpoint checkpoint);

  /**
   * Removes the checkpoint of a scope, typically when its run completed.
   *
   * @param scope the scope
   * @return true when there was a checkpoint
   */
  boolean clearCheckpoint(String scope);

  /**
   * Records when a scope last completed a run successfully.
   *
   * @param scope the scope
   * @param at the instant to remember (usually the run's start)
   */
  void putLastSuccess(String scope, Instant at);

  /**
   * Stores the diff hashes of many customers, replacing existing ones.
   *
   * @param namespace the hash namespace, for example {@code "profile"}
   * @param hashes customer key to hash
   */
  void putHashes(String namespace, Map<String, String> hashes);

  /**
   * Removes the hashes of some customers, so that they are sent again on the next run.
   *
   * @param namespace the hash namespace
   * @param keys the customer keys
   * @return how many hashes were removed
   */
  long removeHashes(String namespace, Collection<String> keys);

  /**
   * Removes every hash of a namespace.
   *
   * @param namespace the hash namespace
   * @return how many hashes were removed
   */
  long clearHashes(String namespace);

  /**
   * Adds members to the staged membership of a segment for one run.
   *
   * <p>The segment sync stages every member of an export as it reads it (at the same commit point
   * as its checkpoint, so a resumed run does not lose them) and calls {@link #commitMembership}
   * once the export was read completely. Staging the same member twice is harmless.
   *
   * @param segmentId the Braze segment id
   * @param runId the run staging the members
   * @param memberKeys the member keys
   */
  void stageMembers(String segmentId, String runId, Collection<String> memberKeys);

  /**
   * Makes the members staged by {@code runId} the segment's current membership, and drops every
   * staged membership of that segment.
   *
   * <p>Call it only after a complete export, and after the membership events were sent: members
   * absent from the staged set count as exits. Read {@link SyncStateStore#entered} and {@link
   * SyncStateStore#exited} first to send the events.
   *
   * @param segmentId the Braze segment id
   * @param runId the run whose staged members become current
   * @return how many members entered and exited
   */
  MembershipChange commitMembership(String segmentId, String runId);

  /**
   * Adds the members staged by {@code runId} to the segment's current membership, keeping every
   * current member, and drops every staged membership of that segment.
   *
   * <p>For a caller that stages only the members that entered and removes the exits itself with
   * {@link #removeMembers}, so that an unchanged segment writes nothing; {@link #commitMembership}
   * instead replaces the membership with a complete staged set.
   *
   * @param segmentId the Braze segment id
   * @param runId the run whose staged members join the membership
   * @return how many members entered (exited is zero)
   */
  MembershipChange addStagedMembers(String segmentId, String runId);

  /**
   * Removes members from a segment's current membership; keys that are not members are ignored.
   *
   * @param segmentId the Braze segment id
   * @param memberKeys the member keys
   * @return how many members were removed
   */
  long removeMembers(String segmentId, Collection<String> memberKeys);

  /**
   * Adds members to a segment's membership directly, without staging them: for a caller that
   * announced their entry itself, in the same transaction as what it wrote about them.
   *
   * @param segmentId the Braze segment id
   * @param memberKeys the members that entered
   * @return how many were not members yet
   */
  long addMembers(String segmentId, Collection<String> memberKeys);

  /**
   * Drops every staged membership of a segment, for example after an export that did not complete.
   *
   * @param segmentId the Braze segment id
   * @return how many staged rows were dropped
   */
  long discardStagedMembers(String segmentId);

  /**
   * Records identity map rows; a row replaces the previous one of its {@code braze_id}, and an
   * {@code external_id} moves to the last user that claims it. A row with the same {@code
   * external_id} and identifiers as the stored one leaves that one as it is, its {@code updatedAt}
   * included.
   *
   * @param records the rows, applied in order
   */
  void putIdentities(Collection<IdentityRecord> records);

  /**
   * Marks event ids as seen and returns those that were not seen before.
   *
   * <p>The check and the mark are one atomic step, so two deliveries of the same batch racing each
   * other cannot both see an id as new.
   *
   * @param ids the ids (Currents event ids)
   * @param now the time of this sighting, used by {@link #purgeSeenBefore}
   * @return the ids that were new, in input order
   */
  Set<String> markSeen(Collection<String> ids, Instant now);

  /**
   * Forgets ids first seen before {@code cutoff}, ending their de-duplication window.
   *
   * @param cutoff ids seen strictly before this instant are removed
   * @return how many ids were removed
   */
  long purgeSeenBefore(Instant cutoff);

  /**
   * Appends messages to the durable outbox; a message whose id is already queued is ignored.
   *
   * @param messages the messages, queued in this order
   * @return how many messages were added
   */
  long enqueue(Collection<OutboxMessage> messages);

  /**
   * Appends messages whose ids this transaction has just marked seen for the first time ({@link
   * #markSeen} returned them), so that none of them can be queued already. The store may keep them
   * together, as one row instead of one per message, which is what makes the Currents receiver's
   * writes cheap; they are still claimed, acknowledged, retried and dead-lettered one by one like
   * the messages of {@link #enqueue}. An id that is queued after all may be delivered twice (with
   * its one idempotence id), never lost.
   *
   * @param messages the messages, queued in this order
   * @return how many messages were added
   */
  long enqueueNew(Collection<OutboxMessage> messages);

  /**
   * Removes delivered messages from the outbox.
   *
   * @param ids the ids of the delivered messages
   * @return how many messages were removed
   */
  long acknowledge(Collection<String> ids);

  /**
   * Claims customers for a send of an activation occurrence by recording them {@link
   * LedgerState#PENDING}, before the Braze call.
   *
   * <p>Customers with no entry or a {@link LedgerState#FAILED} one are claimed. Customers already
   * {@link LedgerState#SENT}, {@link LedgerState#PENDING} (a crashed or concurrent run) or {@link
   * LedgerState#UNKNOWN} are skipped and returned with their state: they are never sent again
   * automatically.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @param customers the customers of the batch
   * @param at the time of the attempt, counted by the per-hour caps
   * @return the claimed and the skipped customers
   */
  LedgerClaim recordPending(
      String activation, String occurrence, Collection<String> customers, Instant at);

  /**
   * Records the outcome of a send for customers claimed earlier.
   *
   * <p>Allowed: {@link LedgerState#PENDING} or {@link LedgerState#UNKNOWN} to any outcome (a person
   * may resolve an unknown one), and repeating the outcome a customer already has.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @param customers the customers of the batch
   * @param outcome {@link LedgerState#SENT}, {@link LedgerState#FAILED} or {@link
   *     LedgerState#UNKNOWN}
   * @param dispatchId Braze's dispatch id, or null
   * @param reason why it failed or is unknown, or null
   * @param at when the outcome became known
   * @throws IllegalArgumentException if {@code outcome} is {@link LedgerState#PENDING}
   * @throws IllegalStateException if a customer has no entry or may not take that outcome; nothing
   *     is changed then
   */
  void markOutcome(
      String activation,
      String occurrence,
      Collection<String> customers,
      LedgerState outcome,
      String dispatchId,
      String reason,
      Instant at);

  /**
   * Turns the {@link LedgerState#PENDING} entries of an occurrence into {@link
   * LedgerState#UNKNOWN}, which is what a rerun does with the entries a crashed run left behind.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @param reason the reason to record, for example "run interrupted before the outcome was known"
   * @param at when this was decided
   * @return how many entries changed
   */
  long pendingToUnknown(String activation, String occurrence, String reason, Instant at);

  /**
   * Removes {@link LedgerState#SENT} and {@link LedgerState#FAILED} entries last updated before
   * {@code cutoff}; unresolved entries are kept until a person resolves them.
   *
   * <p>A purged occurrence is no longer protected against a rerun, so keep the cutoff well beyond
   * any rerun and beyond the per-hour cap windows.
   *
   * @param cutoff entries updated strictly before this instant are removed
   * @return how many entries were removed
   */
  long purgeLedgerBefore(Instant cutoff);

  /**
   * Appends a record to the activity log, or replaces the record with the same id in place.
   *
   * @param record the record
   */
  void appendActivity(ActivityRecord record);

  /**
   * Removes activity records that ended before {@code cutoff}.
   *
   * @param cutoff records ending strictly before this instant are removed
   * @return how many records were removed
   */
  long purgeActivityBefore(Instant cutoff);
}
