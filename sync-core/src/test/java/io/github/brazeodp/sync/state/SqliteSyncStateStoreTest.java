package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.sync.state.ActivityRecord.Flow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the store contract against the SQLite store, plus what only a file can do. */
class SqliteSyncStateStoreTest extends SyncStateStoreContractTest {
  @TempDir Path dir;

  Path file() {
    return dir.resolve("state.db");
  }

  @Override
  SyncStateStore newStore() {
    return SyncStateStore.sqlite(file());
  }

  static Connection jdbc(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  static String queryString(Path file, String sql) throws SQLException {
    try (Connection c = jdbc(file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static void execute(Path file, String... sql) throws SQLException {
    try (Connection c = jdbc(file);
        Statement st = c.createStatement()) {
      for (String statement : sql) {
        st.execute(statement);
      }
    }
  }

  SyncStateStore reopen() {
    store.close();
    store = SyncStateStore.sqlite(file());
    return store;
  }

  // ---- Durability -------------------------------------------------------------------------------

  @Test
  void identityLookUpsOfABatchDoNotWaitForAWriteInProgress() throws Exception {
    IdentityRecord before = new IdentityRecord("b1", "e1", Map.of("email", "a@x.test"), T0);
    store.putIdentities(List.of(before));
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> tx =
          writer.submit(
              () ->
                  store.transaction(
                      w -> {
                        w.putIdentities(
                            List.of(
                                new IdentityRecord("b1", "e1", Map.of("email", "b@x.test"), T0)));
                        writing.countDown();
                        try {
                          release.await();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      }));
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

      // The writer holds the store's lock; the look-up reads the last commit beside it.
      Map<String, IdentityRecord> seen =
          CompletableFuture.supplyAsync(() -> store.identitiesByBrazeIds(List.of("b1")))
              .get(10, TimeUnit.SECONDS);
      assertThat(seen).isEqualTo(Map.of("b1", before));

      release.countDown();
      tx.get(10, TimeUnit.SECONDS);
      assertThat(store.identitiesByExternalIds(List.of("e1")).get("e1").identifiers())
          .containsEntry("email", "b@x.test");
    } finally {
      release.countDown();
      writer.shutdownNow();
    }
  }

  @Test
  void anAcknowledgementSkipsTheSyncButLeavesTheConnectionAtFull() {
    JdbcStateStore sqlite = (JdbcStateStore) store;
    assertThat(sqlite.synchronousLevel()).isEqualTo(2);
    store.enqueue(List.of(new OutboxMessage("a", "p", T0), new OutboxMessage("b", "p", T0)));

    assertThat(store.acknowledge(List.of("a"))).isEqualTo(1);

    assertThat(sqlite.synchronousLevel()).isEqualTo(2);
    reopen();
    assertThat(store.peekOutbox(5)).extracting(OutboxMessage::id).containsExactly("b");
  }

  @Test
  void aClaimSkipsTheSyncButLeavesTheConnectionAtFull() throws Exception {
    JdbcStateStore sqlite = (JdbcStateStore) store;
    store.enqueue(List.of(new OutboxMessage("a", "p", T0)));
    store.transaction(
        tx ->
            tx.enqueueNew(
                List.of(new OutboxMessage("b", "p", T0), new OutboxMessage("c", "p", T0))));

    assertThat(store.claimOutbox("fwd", 10, T0, Duration.ofMinutes(1))).hasSize(3);

    assertThat(sqlite.synchronousLevel()).isEqualTo(2);
    reopen();
    // The claims were committed: another owner gets nothing before they expire.
    assertThat(store.claimOutbox("other", 10, T0, Duration.ofMinutes(1))).isEmpty();
  }

  @Test
  void keepsEverythingAcrossCloseAndReopen() {
    Checkpoint checkpoint =
        Checkpoint.builder("run-1")
            .export("p/", "https://x.test/e.zip", T0)
            .completedFiles(List.of("f1", "f2"))
            .position("f3", 77)
            .attribute("a", "b")
            .build();
    IdentityRecord identity = new IdentityRecord("b1", "e1", Map.of("email", "a@x.test"), T0);
    ActivityRecord record = activity("run-1", Flow.SEGMENT_SYNC, T0);
    store.transaction(
        tx -> {
          tx.putCheckpoint("scope", checkpoint);
          tx.putLastSuccess("scope", T0);
          tx.putHashes("profile", Map.of("k", "h"));
          tx.stageMembers("seg", "r1", List.of("a", "b"));
          tx.commitMembership("seg", "r1");
          tx.stageMembers("seg", "r2", List.of("b", "c"));
          tx.putIdentities(List.of(identity));
          tx.markSeen(List.of("evt"), T0);
          tx.enqueue(List.of(new OutboxMessage("evt", "payload", T0)));
          tx.recordPending("act", "occ", List.of("c1", "c2"), T0);
          tx.markOutcome("act", "occ", List.of("c1"), LedgerState.SENT, "d1", null, T0);
          tx.appendActivity(record);
        });

    reopen();

    assertThat(store.checkpoint("scope")).contains(checkpoint);
    assertThat(store.lastSuccess("scope")).contains(T0);
    assertThat(store.hashes("profile", List.of("k"))).isEqualTo(Map.of("k", "h"));
    assertThat(all(store.members("seg"))).containsExactly("a", "b");
    assertThat(all(store.entered("seg", "r2"))).containsExactly("c");
    assertThat(all(store.exited("seg", "r2"))).containsExactly("a");
    assertThat(store.identityByExternalId("e1")).contains(identity);
    assertThat(store.markSeen(List.of("evt"), T0)).isEmpty();
    assertThat(store.peekOutbox(5)).containsExactly(new OutboxMessage("evt", "payload", T0));
    assertThat(store.ledgerEntry("act", "occ", "c1").orElseThrow().dispatchId()).isEqualTo("d1");
    assertThat(store.recordPending("act", "occ", List.of("c1", "c2"), T0).claimed()).isEmpty();
    assertThat(store.recentActivity(5)).containsExactly(record);
  }

  @Test
  void theOutboxKeepsItsOrderAcrossRestarts() {
    for (int i = 1; i <= 5; i++) {
      store.enqueue(List.of(new OutboxMessage("m" + i, "p" + i, T0)));
    }
    store.acknowledge(List.of("m5"));
    reopen();
    store.enqueue(List.of(new OutboxMessage("m6", "p6", T0)));
    // The newest message was acknowledged before the restart; its position is never reused.
    assertThat(store.peekOutbox(10))
        .extracting(OutboxMessage::id)
        .containsExactly("m1", "m2", "m3", "m4", "m6");
    assertThat(store.outboxSize()).isEqualTo(new OutboxSize(5, 10));
  }

  @Test
  void aKilledProcessLeavesOnlyCommittedTransactions() throws Exception {
    store.close();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                CrashingWriter.class.getName(),
                file().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isEqualTo(CrashingWriter.EXIT_CODE);

    store = SyncStateStore.sqlite(file());
    assertThat(store.hashCount("profile")).isEqualTo(1);
    assertThat(store.checkpoint("scope").orElseThrow().currentFile()).isEqualTo("part-1.txt");
    assertThat(store.outboxSize().messages()).isZero();
  }

  // ---- Failures that heal -----------------------------------------------------------------------

  private static List<OutboxMessage> payloads(String prefix, int n) {
    List<OutboxMessage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new OutboxMessage(prefix + i, "x".repeat(2_000), T0));
    }
    return out;
  }

  @Test
  void aFullDiskFailsWritesAndTheStoreWorksAgainWhenSpaceReturns() {
    JdbcStateStore sqlite = (JdbcStateStore) store;
    store.enqueue(payloads("before-", 3));
    sqlite.maxPageCount(1); // no page more than the file has now: the next growth fails

    assertThatThrownBy(() -> store.enqueue(payloads("full-", 200)))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("full");
    // SQLite rolled the failed transaction back itself; the store did not close over it.
    assertThat(store.outboxSize().messages()).isEqualTo(3);

    sqlite.maxPageCount(1_000_000);
    assertThat(store.enqueue(payloads("after-", 200))).isEqualTo(200);
    assertThat(store.outboxSize().messages()).isEqualTo(203);
  }

  @Test
  void acknowledgedCurrentsEventsAreDeliveredAfterAFullDiskWithoutRestart() {
    JdbcStateStore sqlite = (JdbcStateStore) store;
    io.github.brazeodp.sync.fake.InMemoryOdp odp = new io.github.brazeodp.sync.fake.InMemoryOdp();
    try (io.github.brazeodp.sync.currents.CurrentsForwarder forwarder =
        io.github.brazeodp.sync.currents.CurrentsForwarder.builder()
            .odp(odp)
            .state(store)
            .build()) {
      io.github.brazeodp.sync.currents.CurrentsReceiver receiver =
          io.github.brazeodp.sync.currents.CurrentsReceiver.builder()
              .tokens("ZnVsbC1kaXNrLXRva2Vu")
              .forwarder(forwarder)
              .build();
      Map<String, List<String>> headers =
          Map.of("Authorization", List.of("Bearer ZnVsbC1kaXNrLXRva2Vu"));
      assertThat(receiver.handle(headers, batch("acked-", 5)).status()).isEqualTo(200);
      sqlite.maxPageCount(1);

      // The disk is full: a new batch is refused (Braze keeps it), the acknowledged ones wait.
      byte[] later = batch("later-", 300);
      assertThat(receiver.handle(headers, later).status()).isEqualTo(503);

      sqlite.maxPageCount(1_000_000);
      assertThat(receiver.handle(headers, later).status()).isEqualTo(200);
      assertThat(forwarder.drainOnce().forwarded()).isEqualTo(305);
      assertThat(odp.events()).hasSize(305);
    }
  }

  private static byte[] batch(String prefix, int n) {
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(prefix)
          .append(i)
          .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"b\"},")
          .append("\"properties\":{\"email_address\":\"u@example.com\",\"pad\":\"")
          .append("p".repeat(500))
          .append("\"}}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---- File checks ------------------------------------------------------------------------------

  @Test
  void createsTheFileInWalModeWithItsMarkers() throws Exception {
    assertThat(queryString(file(), "PRAGMA journal_mode")).isEqualTo("wal");
    assertThat(queryString(file(), "PRAGMA application_id"))
        .isEqualTo(Integer.toString(JdbcStateStore.APPLICATION_ID));
    assertThat(queryString(file(), "SELECT MAX(version) FROM schema_version"))
        .isEqualTo(Integer.toString(JdbcStateStore.SCHEMA_VERSION));
  }

  @Test
  void createsMissingParentDirectories() {
    Path nested = dir.resolve("a/b/c/state.db");
    try (SyncStateStore other = SyncStateStore.sqlite(nested)) {
      other.putLastSuccess("s", T0);
    }
    assertThat(nested).isRegularFile();
  }

  @Test
  void refusesADirectory() {
    assertThatThrownBy(() -> SyncStateStore.sqlite(dir))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("is a directory");
  }

  @Test
  void refusesADatabaseOfAnotherApplication() throws Exception {
    Path foreign = dir.resolve("crm.db");
    execute(foreign, "CREATE TABLE orders (id INTEGER)", "CREATE TABLE customers (id INTEGER)");

    assertThatThrownBy(() -> SyncStateStore.sqlite(foreign))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(foreign.toString())
        .hasMessageContaining("another application")
        .hasMessageContaining("customers, orders")
        .satisfies(e -> assertThat(((StateStoreException) e).path()).contains(foreign));
    // Refused without a change: no new table, still in its own journal mode.
    assertThat(queryString(foreign, "SELECT COUNT(*) FROM sqlite_master")).isEqualTo("2");
    assertThat(queryString(foreign, "PRAGMA journal_mode")).isEqualTo("delete");
  }

  @Test
  void refusesAForeignApplicationId() throws Exception {
    Path foreign = dir.resolve("other.db");
    execute(foreign, "PRAGMA application_id = 7", "CREATE TABLE schema_version (version INTEGER)");
    assertThatThrownBy(() -> SyncStateStore.sqlite(foreign))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(foreign.toString())
        .hasMessageContaining("application_id 0x00000007");
  }

  @Test
  void refusesAFileOfRandomBytes() throws IOException {
    Path garbage = dir.resolve("garbage.db");
    byte[] bytes = new byte[8192];
    new Random(42).nextBytes(bytes);
    Files.write(garbage, bytes);

    assertThatThrownBy(() -> SyncStateStore.sqlite(garbage))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("not a SQLite database");
    assertThat(Files.readAllBytes(garbage)).isEqualTo(bytes);
  }

  @Test
  void refusesACorruptDatabase() throws IOException {
    Path corrupt = dir.resolve("corrupt.db");
    byte[] bytes = new byte[8192];
    new Random(7).nextBytes(bytes);
    byte[] header = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(header, 0, bytes, 0, header.length);
    Files.write(corrupt, bytes);

    assertThatThrownBy(() -> SyncStateStore.sqlite(corrupt))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(corrupt.toString())
        .hasMessageContaining("corrupt");
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    Path truncated = dir.resolve("truncated.db");
    Files.write(truncated, "SQLite".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> SyncStateStore.sqlite(truncated))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("not a SQLite database");
  }

  @Test
  void refusesAFileFromANewerVersion() throws Exception {
    store.close();
    int newer = JdbcStateStore.SCHEMA_VERSION + 1;
    execute(
        file(), "INSERT INTO schema_version (version, applied_at) VALUES (" + newer + ", 'later')");

    assertThatThrownBy(() -> SyncStateStore.sqlite(file()))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("newer version")
        .hasMessageContaining("schema version " + newer);
    store = SyncStateStore.inMemory();
  }

  @Test
  void refusesAMarkedFileWithoutItsSchemaTable() throws Exception {
    store.close();
    execute(file(), "DROP TABLE schema_version");
    assertThatThrownBy(() -> SyncStateStore.sqlite(file()))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("damaged");
    store = SyncStateStore.inMemory();
  }

  @Test
  void explainsAMissingDriver() {
    assertThatThrownBy(() -> JdbcStateStore.open(dir.resolve("x.db"), "org.example.NoSuchDriver"))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("org.xerial:sqlite-jdbc");
    assertThat(dir.resolve("x.db")).doesNotExist();
  }

  @Test
  void createsTheFileOwnerOnlyAndLeavesTheDirectoryAlone() throws Exception {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path shared = dir.resolve("shared");
    Files.createDirectories(shared);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path file = shared.resolve("state.db");
    try (SyncStateStore other = SyncStateStore.sqlite(file)) {
      other.putLastSuccess("s", T0);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      Path wal = shared.resolve("state.db-wal");
      if (Files.exists(wal)) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)))
            .isEqualTo("rw-------");
      }
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void namesPageDamageOnOpenBeforeWritingAnything() throws Exception {
    byte[] bytes = closeWithManyHashesAndDamageAMiddlePage();

    assertThatThrownBy(() -> SyncStateStore.sqlite(file()))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining(file().toString())
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("nothing was written");
    assertThat(Files.readAllBytes(file())).isEqualTo(bytes);
    store = SyncStateStore.inMemory();
  }

  /**
   * Enough rows for a multi-level B-tree, so that damaging a middle page breaks an index that
   * opening alone never reads; the store is closed cleanly first. Returns the damaged bytes.
   */
  private byte[] closeWithManyHashesAndDamageAMiddlePage() throws Exception {
    Map<String, String> hashes = new HashMap<>();
    for (String key : keys("customer-", 0, 20_000)) {
      hashes.put(key, "h-" + key);
    }
    store.putHashes("profile", hashes);
    store.close();
    execute(file(), "PRAGMA wal_checkpoint(TRUNCATE)");
    byte[] bytes = Files.readAllBytes(file());
    int pageSize = Integer.parseInt(queryString(file(), "PRAGMA page_size"));
    int pages = bytes.length / pageSize;
    byte[] noise = new byte[pageSize];
    new Random(3).nextBytes(noise);
    System.arraycopy(noise, 0, bytes, (pages / 2) * pageSize, pageSize);
    Files.write(file(), bytes);
    return bytes;
  }

  private boolean checkedOnOpen(SyncStateStore s) {
    return ((JdbcStateStore) s).checkedOnOpen();
  }

  @Test
  void skipsTheOpenCheckOnlyForAFileByteForByteAsItsLastCleanCloseLeftIt() throws Exception {
    assertThat(checkedOnOpen(store)).isTrue();
    store.putHashes("profile", Map.of("c1", "h1"));
    assertThat(checkedOnOpen(reopen())).isFalse();
    assertThat(store.hashes("profile", List.of("c1"))).containsEntry("c1", "h1");
    store.close();
    Path note = CleanCloseMark.noteOf(file());
    assertThat(note).exists();
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(note)))
          .isEqualTo("rw-------");
    }

    // One byte of the file's last page flipped, where SQLite keeps free space (nothing fails
    // to read): the file is no longer the one described, so it is checked, and found sound.
    byte[] bytes = Files.readAllBytes(file());
    bytes[bytes.length - 1] ^= 1;
    Files.write(file(), bytes);
    store = SyncStateStore.sqlite(file());
    assertThat(checkedOnOpen(store)).isTrue();
    store.close();
    store = SyncStateStore.sqlite(file());
    assertThat(checkedOnOpen(store)).isFalse();

    // A missing, a foreign and an oversized note each mean: check.
    for (String text : List.of("", "something else\n", "x".repeat(100_000))) {
      store.close();
      if (text.isEmpty()) {
        Files.delete(note);
      } else {
        Files.writeString(note, text);
      }
      store = SyncStateStore.sqlite(file());
      assertThat(checkedOnOpen(store)).as("note %.20s", text).isTrue();
    }
  }

  @Test
  void checksAFileThatHasAWalBesideIt() throws Exception {
    store.putHashes("profile", Map.of("c1", "h1"));
    store.close();
    store = SyncStateStore.sqlite(file());
    store.putHashes("profile", Map.of("c2", "h2"));
    // The first store is still open, its commit in the WAL, as a killed process leaves it.
    try (SyncStateStore second = SyncStateStore.sqlite(file())) {
      assertThat(checkedOnOpen(second)).isTrue();
      assertThat(second.hashes("profile", List.of("c1", "c2"))).hasSize(2);
    }
    // Closed while another connection had the file open: no note, the file is still changing.
    assertThat(CleanCloseMark.noteOf(file())).doesNotExist();
    assertThat(checkedOnOpen(reopen())).isFalse();
  }

  @Test
  void damageFoundDuringARunMakesTheNextOpenCheckTheFile() throws Exception {
    byte[] damaged = closeWithManyHashesAndDamageAMiddlePage();
    // What a clean close would note had another program damaged the page while the store had the
    // file open and no statement read it: the next open skips the check.
    CleanCloseMark.record(file());
    store = SyncStateStore.sqlite(file());
    assertThat(checkedOnOpen(store)).isFalse();
    assertThatThrownBy(() -> store.hashes("profile", keys("customer-", 0, 20_000)))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("corrupt");
    store.close();

    assertThatThrownBy(() -> SyncStateStore.sqlite(file()))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("nothing was written");
    assertThat(Files.readAllBytes(file())).isEqualTo(damaged);
    store = SyncStateStore.inMemory();
  }

  @Test
  void upgradesAVersionOneFileThroughEveryStep() throws Exception {
    store.appendActivity(activity("old", Flow.SEGMENT_SYNC, T0));
    store.close();
    // Back to what version 1 wrote: no dead letters, parked events or attempt counts (version 2),
    // no lock table and no reason column (version 3), no outbox claims (version 6), no outbox
    // chunks (version 7).
    execute(
        file(),
        "DROP TABLE dead_letter",
        "DROP TABLE parked",
        "ALTER TABLE outbox DROP COLUMN attempts",
        "DROP TABLE run_lock",
        "ALTER TABLE activity DROP COLUMN reason",
        "ALTER TABLE outbox DROP COLUMN claim_owner",
        "ALTER TABLE outbox DROP COLUMN claim_until",
        "DROP TABLE outbox_chunk",
        "DROP TABLE outbox_chunk_data",
        "DELETE FROM schema_version WHERE version > 1");

    store = SyncStateStore.sqlite(file());
    assertThat(store.recentActivity(1).get(0).reason()).isNull();
    assertThat(store.tryLock("scope", "a", T0, Duration.ofMinutes(1)).owner()).isEqualTo("a");
    assertThat(queryString(file(), "SELECT MAX(version) FROM schema_version"))
        .isEqualTo(Integer.toString(JdbcStateStore.SCHEMA_VERSION));
  }

  @Test
  void outboxRowsOfAVersionSixFileAreDeliveredAfterTheUpgrade() throws Exception {
    store.enqueue(
        List.of(new OutboxMessage("old-1", "a", T0), new OutboxMessage("old-2", "b", T0)));
    store.claimOutbox("fwd", 1, T0, Duration.ofMinutes(1));
    store.close();
    // Back to version 6: no outbox chunks.
    execute(
        file(),
        "DROP TABLE outbox_chunk",
        "DROP TABLE outbox_chunk_data",
        "DELETE FROM schema_version WHERE version > 6");

    store = SyncStateStore.sqlite(file());
    assertThat(queryString(file(), "SELECT MAX(version) FROM schema_version")).isEqualTo("7");
    store.transaction(
        tx ->
            tx.enqueueNew(
                List.of(new OutboxMessage("new-1", "c", T0), new OutboxMessage("new-2", "d", T0))));
    assertThat(store.outboxSize()).isEqualTo(new OutboxSize(4, 4));
    // The old rows first, old-1 still under its claim; then the request queued together.
    assertThat(store.claimOutbox("fwd", 10, T0, Duration.ofMinutes(1)))
        .extracting(OutboxMessage::id)
        .containsExactly("old-1", "old-2", "new-1", "new-2");
    assertThat(store.acknowledge(List.of("old-1", "old-2", "new-1", "new-2"))).isEqualTo(4);
    assertThat(store.outboxSize()).isEqualTo(new OutboxSize(0, 0));
  }

  @Test
  void aRequestClaimedBeforeARestartIsAcknowledgedAfterIt() throws Exception {
    store.transaction(
        tx ->
            tx.enqueueNew(
                List.of(new OutboxMessage("e1", "a", T0), new OutboxMessage("e2", "b", T0))));
    assertThat(store.claimOutbox("fwd", 10, T0, Duration.ofMinutes(1))).hasSize(2);
    store.close();

    store = SyncStateStore.sqlite(file());
    // A new process knows no claims of its own: it finds the messages by their ids.
    assertThat(store.claimOutbox("fwd", 10, T0, Duration.ofMinutes(1))).hasSize(2);
    store.close();
    store = SyncStateStore.sqlite(file());
    assertThat(store.acknowledge(List.of("e2"))).isEqualTo(1);
    assertThat(store.peekOutbox(10)).containsExactly(new OutboxMessage("e1", "a", T0));
    assertThat(queryString(file(), "SELECT COUNT(*) FROM outbox_chunk")).isEqualTo("0");
  }

  @Test
  void packsAnyStringsAndRefusesDamagedPacks() {
    List<String> values = List.of("", "a:b", "12:x", "é😀\n", "x".repeat(2_000));
    assertThat(JdbcStateStore.unpack(JdbcStateStore.pack(values))).isEqualTo(values);
    assertThat(JdbcStateStore.unpack("")).isEmpty();
    assertThat(JdbcStateStore.unpack("5:abc")).isNull();
    assertThat(JdbcStateStore.unpack("x:abc")).isNull();
    assertThat(JdbcStateStore.unpack(":abc")).isNull();
    assertThat(JdbcStateStore.unpack("99999999999:a")).isNull();
  }

  // ---- Scale and sharing ------------------------------------------------------------------------

  @Test
  void diffsLargeMemberships() {
    int size = 200_000;
    store.stageMembers("seg", "r1", keys("user-", 0, size));
    assertThat(store.commitMembership("seg", "r1")).isEqualTo(new MembershipChange(size, 0));

    // The next export lost the first 20,000 members and gained 20,000 new ones.
    List<String> next = keys("user-", 20_000, size + 20_000);
    for (int from = 0; from < next.size(); from += 5_000) {
      store.stageMembers("seg", "r2", next.subList(from, from + 5_000));
    }
    List<String> entered = all(store.entered("seg", "r2"));
    List<String> exited = all(store.exited("seg", "r2"));
    assertThat(entered).isEqualTo(keys("user-", size, size + 20_000));
    assertThat(exited).isEqualTo(keys("user-", 0, 20_000));

    assertThat(store.commitMembership("seg", "r2")).isEqualTo(new MembershipChange(20_000, 20_000));
    assertThat(store.memberCount("seg")).isEqualTo(size);
    assertThat(store.membersAmong("seg", List.of("user-0000000", "user-0219999")))
        .containsExactly("user-0219999");
  }

  @Test
  void writesAndReadsManyHashes() {
    Map<String, String> hashes = new HashMap<>();
    for (String key : keys("c", 0, 200_000)) {
      hashes.put(key, Integer.toHexString(key.hashCode()));
    }
    store.putHashes("profile", hashes);
    assertThat(store.hashCount("profile")).isEqualTo(200_000);
    List<String> batch = keys("c", 150_000, 155_000);
    Map<String, String> found = store.hashes("profile", batch);
    assertThat(found).hasSize(5_000);
    batch.forEach(k -> assertThat(found.get(k)).isEqualTo(hashes.get(k)));
  }

  @Test
  void twoStoresOnOneFileSeeEachIdAsNewOnce() throws Exception {
    List<String> ids = keys("evt", 0, 300);
    Set<String> fresh = ConcurrentHashMap.newKeySet();
    List<String> duplicates = new ArrayList<>();
    try (SyncStateStore second = SyncStateStore.sqlite(file())) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<List<String>>> futures = new ArrayList<>();
        for (SyncStateStore s : List.of(store, second)) {
          futures.add(
              pool.submit(
                  () -> {
                    List<String> dup = new ArrayList<>();
                    for (int i = 0; i < ids.size(); i += 30) {
                      for (String id : s.markSeen(ids.subList(i, i + 30), T0)) {
                        if (!fresh.add(id)) {
                          dup.add(id);
                        }
                      }
                    }
                    return dup;
                  }));
        }
        for (Future<List<String>> future : futures) {
          duplicates.addAll(future.get());
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(second.markSeen(ids, T0)).isEmpty();
    }
    assertThat(duplicates).isEmpty();
    assertThat(fresh).hasSize(ids.size());
  }

  @Test
  void listsUnknownSendsAfterReopen() {
    store.recordPending("act", "occ", List.of("a", "b"), T0);
    reopen();
    assertThat(store.pendingToUnknown("act", "occ", "crashed", Instant.EPOCH.plusSeconds(1)))
        .isEqualTo(2);
    assertThat(store.ledgerEntries("act", "occ", EnumSet.of(LedgerState.UNKNOWN))).hasSize(2);
  }
}
