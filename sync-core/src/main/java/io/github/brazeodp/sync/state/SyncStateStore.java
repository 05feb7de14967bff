package io.github.brazeodp.sync.state;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The durable state of the sync flows: checkpoints, diff hashes, segment membership, the identity
 * map, Currents de-duplication ids and outbox, the activation ledger and the activity log.
 *
 * <p>Three implementations behave identically: {@link #inMemory()}, {@link #sqlite(Path)} and
 * {@link #postgres(DataSource)}. All are safe for use by several threads. Everything is keyed by
 * strings chosen by the flows.
 *
 * <p>Every write is transactional (see {@link StateWriter}). Reads made on the thread running a
 * {@link #transaction} callback see that transaction's writes; other threads wait for it to end.
 * Large sets (segment membership) are read in pages or through lazily paged {@link Iterable}s, so
 * that a million members never need to be in memory at once.
 *
 * <pre>{@code
 * try (SyncStateStore store = SyncStateStore.sqlite(Path.of("state/braze-odp.db"))) {
 *   // One commit point of a segment sync: what ODP accepted, the members read and the position.
 *   store.transaction(tx -> {
 *     tx.putHashes("profile", acceptedHashes);
 *     tx.putIdentities(identityRows);
 *     tx.stageMembers(segmentId, runId, memberKeys);
 *     tx.putCheckpoint("segment-sync/" + segmentId, checkpoint.atLine(file, line));
 *   });
 *   // After a complete export: send the membership events, then make the new membership current.
 *   for (String key : store.entered(segmentId, runId)) { ... }
 *   for (String key : store.exited(segmentId, runId)) { ... }
 *   store.transaction(tx -> {
 *     tx.commitMembership(segmentId, runId);
 *     tx.clearCheckpoint("segment-sync/" + segmentId);
 *     tx.putLastSuccess("segment-sync/" + segmentId, runStart);
 *   });
 * }
 * }</pre>
 */
public interface SyncStateStore extends StateWriter, AutoCloseable {

  /** The page size of the {@link Iterable} views over large sets. */
  int DEFAULT_PAGE_SIZE = 1_000;

  /**
   * Creates an empty store held in memory, for tests and for processes that need no durability.
   *
   * @return a new store
   */
  static SyncStateStore inMemory() {
    return new InMemoryStateStore();
  }

  /**
   * Opens, or creates, the SQLite store in {@code file}, creating missing parent directories.
   *
   * <p>It needs {@code org.xerial:sqlite-jdbc} on the classpath. The file is refused, with a {@link
   * StateStoreException} naming it and the problem, when it is not a SQLite database, belongs to
   * another application or was written by a newer version of this library.
   *
   * @param file the database file
   * @return the open store; close it when done
   * @throws StateStoreException if the file cannot be used
   */
  static SyncStateStore sqlite(Path file) {
    return JdbcStateStore.open(file);
  }

  /**
   * Opens the store in a PostgreSQL database, creating or migrating its tables in the current
   * schema of the connection (set {@code currentSchema} in the URL to give the store a schema of
   * its own).
   *
   * <p>The store takes one connection from {@code dataSource} and holds it until {@link #close}.
   * Several processes, on several hosts, may open stores on one database at once and share it: run
   * locks, outbox claims, de-duplication ids and the activation ledger are decided by the database
   * (see the README's "State store" section). It needs {@code org.postgresql:postgresql} on the
   * classpath unless the data source brings its own driver.
   *
   * @param dataSource where to connect
   * @return the open store; close it when done
   * @throws StateStoreException if the database cannot be reached or holds a newer schema
   */
  static SyncStateStore postgres(DataSource dataSource) {
    return JdbcStateStore.openPostgres(dataSource);
  }

  // ---- Transactions --------------------------------------------------------------------------

  /**
   * Runs {@code work} in one transaction: its writes commit together when it returns, and none of
   * them is kept when it throws (the exception is rethrown).
   *
   * <p>A transaction started inside another one joins it as a nested unit: its failure undoes only
   * its own writes, and nothing is durable before the outermost transaction commits. Do not use the
   * writer after the callback returned, nor from another thread.
   *
   * @param work the writes to commit together
   * @throws StateStoreException if the store cannot commit
   */
  void transaction(Consumer<? super StateWriter> work);

  /**
   * Runs {@code work} in one transaction like {@link #transaction}, returning its result.
   *
   * @param work the writes to commit together
   * @param <T> the result type
   * @return what {@code work} returned
   * @throws StateStoreException if the store cannot commit
   */
  <T> T transactionResult(Function<? super StateWriter, ? extends T> work);

  // ---- Checkpoints -----------------------------------------------------------------------------

  /**
   * Returns the checkpoint of a scope.
   *
   * @param scope the scope
   * @return the checkpoint, or empty when there is none
   */
  Optional<Checkpoint> checkpoint(String scope);

  /**
   * Returns when a scope last completed a run successfully.
   *
   * @param scope the scope
   * @return the instant stored by {@link #putLastSuccess}, or empty
   */
  Optional<Instant> lastSuccess(String scope);

  // ---- Diff hashes -----------------------------------------------------------------------------

  /**
   * Returns the stored hashes of a batch of customers.
   *
   * @param namespace the hash namespace
   * @param keys the customer keys
   * @return key to hash for the keys that have one
   */
  Map<String, String> hashes(String namespace, Collection<String> keys);

  /**
   * Compares stored hashes with what their ends are expected to be, in the store: only keys whose
   * stored hash is missing or does not end with the key's suffix come back, so that a batch in
   * which every hash matches reads nothing back. The segment sync keeps a digest of each export
   * line at the end of its hash and asks this of every batch of an unchanged rerun.
   *
   * @param namespace the hash namespace
   * @param suffixes key to the suffix its stored hash is expected to end with
   * @return for each key whose hash does not end with its suffix, the stored hash, or empty when
   *     none is stored; keys whose hash ends with its suffix are absent
   */
  default Map<String, Optional<String>> hashesUnlessEndingWith(
      String namespace, Map<String, String> suffixes) {
    Map<String, String> stored = hashes(namespace, suffixes.keySet());
    Map<String, Optional<String>> differing = new HashMap<>();
    suffixes.forEach(
        (key, suffix) -> {
          String hash = stored.get(key);
          if (hash == null || !hash.endsWith(Objects.requireNonNull(suffix, "suffix"))) {
            differing.put(key, Optional.ofNullable(hash));
          }
        });
    return differing;
  }

  /**
   * Counts the hashes of a namespace.
   *
   * @param namespace the hash namespace
   * @return the number of stored hashes
   */
  long hashCount(String namespace);

  // ---- Membership ------------------------------------------------------------------------------

  /**
   * Counts the current members of a segment.
   *
   * @param segmentId the segment id
   * @return the number of members
   */
  long memberCount(String segmentId);

  /**
   * Returns which of the given keys are current members of a segment.
   *
   * @param segmentId the segment id
   * @param keys the keys to check
   * @return the keys that are members
   */
  Set<String> membersAmong(String segmentId, Collection<String> keys);

  /**
   * Returns which of the given keys are not current members of a segment: the entries of a batch
   * read from an export, and nothing for a batch whose members are all stored already.
   *
   * @param segmentId the segment id
   * @param keys the keys to check
   * @return the keys that are not members
   */
  default Set<String> nonMembersAmong(String segmentId, Collection<String> keys) {
    Set<String> members = membersAmong(segmentId, keys);
    Set<String> others = new HashSet<>();
    for (String key : keys) {
      if (!members.contains(key)) {
        others.add(key);
      }
    }
    return others;
  }

  /**
   * Returns one page of a segment's current members in ascending key order.
   *
   * @param segmentId the segment id
   * @param afterKey the last key of the previous page, or null for the first page
   * @param limit the maximum page size, at least 1
   * @return up to {@code limit} keys greater than {@code afterKey}
   */
  List<String> membersPage(String segmentId, String afterKey, int limit);

  /**
   * Counts the members staged by a run.
   *
   * @param segmentId the segment id
   * @param runId the run
   * @return the number of staged members
   */
  long stagedCount(String segmentId, String runId);

  /**
   * Returns one page, in ascending key order, of the members staged by {@code runId} that are not
   * current members: those who entered the segment.
   *
   * @param segmentId the segment id
   * @param runId the run that staged the new membership
   * @param afterKey the last key of the previous page, or null for the first page
   * @param limit the maximum page size, at least 1
   * @return up to {@code limit} keys greater than {@code afterKey}
   */
  List<String> enteredPage(String segmentId, String runId, String afterKey, int limit);

  /**
   * Returns one page, in ascending key order, of the current members that {@code runId} did not
   * stage: those who exited the segment.
   *
   * @param segmentId the segment id
   * @param runId the run that staged the new membership
   * @param afterKey the last key of the previous page, or null for the first page
   * @param limit the maximum page size, at least 1
   * @return up to {@code limit} keys greater than {@code afterKey}
   */
  List<String> exitedPage(String segmentId, String runId, String afterKey, int limit);

  /**
   * Hands every current member of a segment to {@code sink} with its stored hash in {@code
   * namespace} (null when it has none), a page at a time, in no particular order. The segment sync
   * reads this once at the start of a run, so that its batches need no look-up for users whose
   * export line is unchanged; stores answer it with a scan rather than a look-up per member. Pages
   * are read one after another, so a write between two of them may show in the later one.
   *
   * @param segmentId the segment id
   * @param namespace the hash namespace
   * @param sink receives each member and its hash or null
   */
  default void forEachMemberHash(
      String segmentId, String namespace, BiConsumer<String, String> sink) {
    Objects.requireNonNull(sink, "sink");
    String after = null;
    while (true) {
      List<String> page = membersPage(segmentId, after, 1000);
      if (page.isEmpty()) {
        return;
      }
      Map<String, String> hashes = hashes(namespace, page);
      for (String member : page) {
        sink.accept(member, hashes.get(member));
      }
      after = page.get(page.size() - 1);
    }
  }

  /**
   * Iterates over a segment's current members in key order, one page at a time.
   *
   * @param segmentId the segment id
   * @return a lazily paged view; each iterator reads the store as it goes
   */
  default Iterable<String> members(String segmentId) {
    return () -> new Pager((after, limit) -> membersPage(segmentId, after, limit));
  }

  /**
   * Iterates over the members who entered the segment in {@code runId}'s staged membership.
   *
   * @param segmentId the segment id
   * @param runId the run that staged the new membership
   * @return a lazily paged view; each iterator reads the store as it goes
   */
  default Iterable<String> entered(String segmentId, String runId) {
    return () -> new Pager((after, limit) -> enteredPage(segmentId, runId, after, limit));
  }

  /**
   * Iterates over the members who exited the segment according to {@code runId}'s staged
   * membership.
   *
   * @param segmentId the segment id
   * @param runId the run that staged the new membership
   * @return a lazily paged view; each iterator reads the store as it goes
   */
  default Iterable<String> exited(String segmentId, String runId) {
    return () -> new Pager((after, limit) -> exitedPage(segmentId, runId, after, limit));
  }

  // ---- Identity map ----------------------------------------------------------------------------

  /**
   * Looks up the identity map by Braze id.
   *
   * @param brazeId the {@code braze_id}
   * @return the row, or empty
   */
  Optional<IdentityRecord> identityByBrazeId(String brazeId);

  /**
   * Looks up the identity map by external id.
   *
   * @param externalId the {@code external_id}
   * @return the row of the user holding that external id, or empty
   */
  Optional<IdentityRecord> identityByExternalId(String externalId);

  /**
   * Looks up many Braze ids in one read of the store, for a whole Currents batch at once: a store
   * that serialises access then waits for its lock once per batch instead of once per event.
   *
   * @param brazeIds the {@code braze_id}s; duplicates are looked up once
   * @return the rows found, by Braze id; ids the map does not hold are absent
   */
  default Map<String, IdentityRecord> identitiesByBrazeIds(Collection<String> brazeIds) {
    Map<String, IdentityRecord> found = new HashMap<>();
    for (String id : brazeIds) {
      identityByBrazeId(id).ifPresent(r -> found.put(id, r));
    }
    return found;
  }

  /**
   * Looks up many external ids in one read of the store (see {@link #identitiesByBrazeIds}).
   *
   * @param externalIds the {@code external_id}s
   * @return the rows found, by external id; ids the map does not hold are absent
   */
  default Map<String, IdentityRecord> identitiesByExternalIds(Collection<String> externalIds) {
    Map<String, IdentityRecord> found = new HashMap<>();
    for (String id : externalIds) {
      identityByExternalId(id).ifPresent(r -> found.put(id, r));
    }
    return found;
  }

  // ---- Currents outbox -------------------------------------------------------------------------

  /**
   * Returns the oldest messages of the outbox without removing them.
   *
   * @param limit the maximum number, at least 1
   * @return up to {@code limit} messages, oldest first
   */
  List<OutboxMessage> peekOutbox(int limit);

  /**
   * Claims the oldest queued messages that no other owner's unexpired claim holds, for {@code
   * owner} until {@code now + lease}, and returns them. Until then, or until they are acknowledged,
   * dead-lettered or released by {@link #countAttempts}, no other owner's claim returns them:
   * several forwarders sharing one store (PostgreSQL), each with its own owner, send different
   * messages. The owner's own claims are returned again, so that a forwarder restarted under the
   * same owner resends at once what it had in flight; a forwarder that dies for good leaves its
   * claims to expire, after which any forwarder takes the messages.
   *
   * @param owner who claims; forwarders sharing a store need distinct owners
   * @param limit the maximum number, at least 1
   * @param now the current time
   * @param lease how long the claim lasts; longer than one delivery attempt takes
   * @return up to {@code limit} messages, oldest first
   * @throws StateStoreException if the store cannot commit
   */
  List<OutboxMessage> claimOutbox(String owner, int limit, Instant now, Duration lease);

  /**
   * Returns how many messages and bytes the outbox holds.
   *
   * @return the outbox's size
   */
  OutboxSize outboxSize();

  /**
   * Counts one more failed delivery attempt for each queued message, so that a message failing for
   * too long can be moved to the dead letters, and releases its claim; ids not queued are ignored.
   *
   * @param ids the messages' ids
   * @return the number of messages updated
   * @throws StateStoreException if the store cannot commit
   */
  long countAttempts(Collection<String> ids);

  // ---- Currents dead letters -------------------------------------------------------------------

  /**
   * Moves queued messages to the dead letters, in one transaction, each with its reason; ids not
   * queued are ignored. A dead letter with the same id (an earlier death) is replaced.
   *
   * @param reasonsById the reason for each message, by id
   * @param at the time of death
   * @return the number of messages moved
   * @throws StateStoreException if the store cannot commit
   */
  long deadLetter(Map<String, String> reasonsById, Instant at);

  /**
   * Lists dead letters in the order they died.
   *
   * @param filter which ones
   * @param limit the maximum number, at least 1
   * @return up to {@code limit} dead letters, oldest death first
   */
  List<DeadLetter> deadLetters(DeadLetterFilter filter, int limit);

  /**
   * Counts the dead letters.
   *
   * @return the number of dead letters
   */
  long deadLetterCount();

  /**
   * Moves dead letters back to the end of the outbox, as new messages queued at {@code at} with no
   * attempts counted, so that the forwarder delivers them again; one already queued again is just
   * removed from the dead letters.
   *
   * @param filter which ones
   * @param at the new queue time
   * @return the number of dead letters taken out
   * @throws StateStoreException if the store cannot commit
   */
  long replayDeadLetters(DeadLetterFilter filter, Instant at);

  /**
   * Deletes the dead letters that died before {@code cutoff}; they are gone for good.
   *
   * @param cutoff the first death time kept
   * @return the number deleted
   * @throws StateStoreException if the store cannot commit
   */
  long purgeDeadLetters(Instant cutoff);

  // ---- Currents parked events ------------------------------------------------------------------

  /**
   * Parks events whose user the identity map does not know yet; an id already parked is ignored.
   *
   * @param events the events
   * @return the number of events added
   * @throws StateStoreException if the store cannot commit
   */
  long park(Collection<ParkedEvent> events);

  /**
   * Returns the oldest parked events whose user the identity map now knows, by {@code braze_id} or
   * {@code external_id}.
   *
   * @param limit the maximum number, at least 1
   * @return up to {@code limit} events, oldest first
   */
  List<ParkedEvent> parkedMatched(int limit);

  /**
   * Removes parked events (forwarded, or given up).
   *
   * @param ids the events' ids
   * @return the number removed
   * @throws StateStoreException if the store cannot commit
   */
  long removeParked(Collection<String> ids);

  /**
   * Drops the parked events parked before {@code cutoff}, then the oldest beyond {@code keep}.
   *
   * @param cutoff the first parking time kept
   * @param keep the most events kept, zero or more
   * @return the number dropped
   * @throws StateStoreException if the store cannot commit
   */
  long purgeParked(Instant cutoff, long keep);

  /**
   * Counts the parked events.
   *
   * @return the number of parked events
   */
  long parkedCount();

  // ---- Activation ledger -----------------------------------------------------------------------

  /**
   * Returns one ledger entry.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @param customer the customer
   * @return the entry, or empty
   */
  Optional<LedgerEntry> ledgerEntry(String activation, String occurrence, String customer);

  /**
   * Lists the entries of an occurrence in the given states, by customer key; use it to report
   * {@link LedgerState#UNKNOWN} and {@link LedgerState#PENDING} sends.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @param states the states to list
   * @return the entries, ordered by customer
   */
  List<LedgerEntry> ledgerEntries(String activation, String occurrence, Set<LedgerState> states);

  /**
   * Lists the entries of an activation in the given states over all its occurrences (an
   * event-enrolled activation has one occurrence per ODP event), ordered by occurrence then
   * customer, at most {@code limit} of them: what a person reviews to resolve unknown outcomes.
   *
   * @param activation the activation's name
   * @param states the states to list
   * @param limit the most entries to return, at least 1
   * @return the entries
   */
  List<LedgerEntry> ledgerEntries(String activation, Set<LedgerState> states, int limit);

  /**
   * Counts the entries of an occurrence by state.
   *
   * @param activation the activation's name
   * @param occurrence the occurrence
   * @return a count for every state, zero included
   */
  Map<LedgerState, Long> ledgerCounts(String activation, String occurrence);

  /**
   * Counts the sends of an activation to one customer attempted at or after {@code since}, over all
   * occurrences, for the per-customer per-hour cap.
   *
   * <p>Entries that {@linkplain LedgerState#mayHaveBeenSent() may have been sent} count, so that a
   * cap is never exceeded because an outcome is unknown.
   *
   * @param activation the activation's name
   * @param customer the customer
   * @param since the start of the window
   * @return the number of sends
   */
  long sendsToCustomerSince(String activation, String customer, Instant since);

  /**
   * Counts all sends of an activation attempted at or after {@code since}, for the total per-hour
   * cap; counted like {@link #sendsToCustomerSince}.
   *
   * @param activation the activation's name
   * @param since the start of the window
   * @return the number of sends
   */
  long sendsSince(String activation, Instant since);

  // ---- Run locks -------------------------------------------------------------------------------

  /**
   * Takes, or renews, the run lock of a flow scope for {@code owner}, with a lease of {@code lease}
   * from {@code now}.
   *
   * <p>The lock is free when nobody holds it or its lease has lapsed at {@code now} (its holder
   * crashed or stopped renewing); then {@code owner} gets it. When {@code owner} holds it already,
   * the lease is extended. When another owner holds an unexpired lease, nothing changes and that
   * lease is returned. The check and the write are one transaction, so two processes sharing a
   * SQLite file never both get the lock.
   *
   * @param scope the flow scope, e.g. {@code segment-sync/<segment id>}
   * @param owner who asks; compare it with the returned lease's owner
   * @param now the current time
   * @param lease how long the lock lasts without renewal, positive
   * @return the lease now in force: {@code owner}'s when taken or renewed, else the holder's
   */
  RunLease tryLock(String scope, String owner, Instant now, java.time.Duration lease);

  /**
   * Releases the run lock of a scope if {@code owner} holds it.
   *
   * @param scope the flow scope
   * @param owner the owner that took it
   * @return whether a lease of {@code owner} was removed
   */
  boolean unlock(String scope, String owner);

  /**
   * Returns the lease recorded for a scope, lapsed or not.
   *
   * @param scope the flow scope
   * @return the lease, or empty when the scope is not locked
   */
  Optional<RunLease> runLock(String scope);

  // ---- Activity log ----------------------------------------------------------------------------

  /**
   * Returns the most recently appended activity records.
   *
   * @param limit the maximum number, at least 1
   * @return up to {@code limit} records, newest first
   */
  List<ActivityRecord> recentActivity(int limit);

  /**
   * Returns the most recently appended activity records of one flow.
   *
   * @param flow the flow
   * @param limit the maximum number, at least 1
   * @return up to {@code limit} records, newest first
   */
  List<ActivityRecord> recentActivity(ActivityRecord.Flow flow, int limit);

  /**
   * Closes the store; further calls throw {@link IllegalStateException}. Closing twice is harmless.
   */
  @Override
  void close();
}
