package io.github.brazeodp.sync.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two stores on one PostgreSQL database, as two hosts would open them, racing from two threads
 * released together by a barrier: the database, not either process, must decide every race.
 */
class PostgresMultiHostTest {
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  private static final int ROUNDS = 30;

  private DataSource database;
  private SyncStateStore hostA;
  private SyncStateStore hostB;
  private ExecutorService pool;

  @BeforeEach
  void open() {
    database = TestPostgres.freshSchema();
    hostA = SyncStateStore.postgres(database);
    hostB = SyncStateStore.postgres(database);
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    hostA.close();
    hostB.close();
  }

  /** Runs both calls at once and returns their results, A's first. */
  private <T> List<T> race(Callable<T> onA, Callable<T> onB) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    Future<T> a =
        pool.submit(
            () -> {
              start.await(10, TimeUnit.SECONDS);
              return onA.call();
            });
    Future<T> b =
        pool.submit(
            () -> {
              start.await(10, TimeUnit.SECONDS);
              return onB.call();
            });
    return List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
  }

  @Test
  void oneHostWinsEachRunLock() throws Exception {
    Duration lease = Duration.ofMinutes(5);
    for (int round = 0; round < ROUNDS; round++) {
      String scope = "daemon/nightly-" + round;
      List<RunLease> leases =
          race(
              () -> hostA.tryLock(scope, "host-a", T0, lease),
              () -> hostB.tryLock(scope, "host-b", T0, lease));
      // Both see the same single holder: the loser is told who holds it.
      assertThat(leases.get(0)).isEqualTo(leases.get(1));
      assertThat(leases.get(0).owner()).isIn("host-a", "host-b");
    }
    // An expired lease goes to whoever asks next, once.
    String scope = "daemon/nightly-0";
    String holder = hostA.runLock(scope).orElseThrow().owner();
    String other = holder.equals("host-a") ? "host-b" : "host-a";
    SyncStateStore otherStore = holder.equals("host-a") ? hostB : hostA;
    assertThat(otherStore.tryLock(scope, other, T0.plus(lease).minusSeconds(1), lease).owner())
        .isEqualTo(holder);
    assertThat(otherStore.tryLock(scope, other, T0.plus(lease), lease).owner()).isEqualTo(other);
  }

  @Test
  void forwardersClaimDisjointOutboxMessages() throws Exception {
    List<OutboxMessage> messages =
        IntStream.range(0, 2_000)
            .mapToObj(i -> new OutboxMessage("evt-" + i, "{\"i\":" + i + "}", T0))
            .toList();
    hostA.enqueue(messages);
    Map<String, String> sentBy = new ConcurrentHashMap<>();
    AtomicInteger twice = new AtomicInteger();
    List<Integer> counts =
        race(
            () -> drain(hostA, "fwd-a", sentBy, twice), () -> drain(hostB, "fwd-b", sentBy, twice));

    assertThat(twice).hasValue(0);
    assertThat(sentBy).hasSize(messages.size());
    assertThat(counts.get(0) + counts.get(1)).isEqualTo(messages.size());
    // Both took part: the claims interleaved rather than one forwarder draining alone.
    assertThat(counts).allSatisfy(count -> assertThat(count).isPositive());
    assertThat(hostB.outboxSize().messages()).isZero();
  }

  private static int drain(
      SyncStateStore store, String owner, Map<String, String> sentBy, AtomicInteger twice) {
    int sent = 0;
    while (true) {
      List<OutboxMessage> batch = store.claimOutbox(owner, 50, T0, Duration.ofMinutes(1));
      if (batch.isEmpty()) {
        return sent;
      }
      for (OutboxMessage m : batch) {
        if (sentBy.putIfAbsent(m.id(), owner) != null) {
          twice.incrementAndGet();
        }
      }
      store.acknowledge(batch.stream().map(OutboxMessage::id).toList());
      sent += batch.size();
    }
  }

  @Test
  void eachCurrentsIdIsFreshForExactlyOneReceiver() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      // Overlapping batches, in opposite orders, as two receivers getting Braze's retries.
      List<String> ids = IntStream.range(0, 300).mapToObj(i -> "r" + i).toList();
      List<String> reversed = new ArrayList<>(ids);
      Collections.reverse(reversed);
      int r = round;
      List<Set<String>> fresh =
          race(
              () -> hostA.transactionResult(tx -> tx.markSeen(prefixed(ids, r), T0)),
              () -> hostB.transactionResult(tx -> tx.markSeen(prefixed(reversed, r), T0)));
      assertThat(Collections.disjoint(fresh.get(0), fresh.get(1))).isTrue();
      assertThat(fresh.get(0).size() + fresh.get(1).size()).isEqualTo(ids.size());
    }
  }

  private static List<String> prefixed(List<String> ids, int round) {
    return ids.stream().map(id -> round + "-" + id).toList();
  }

  @Test
  void twoHostsRunningOneActivationOccurrenceClaimEachCustomerOnce() throws Exception {
    List<String> customers = IntStream.range(0, 250).mapToObj(i -> "c" + i).toList();
    for (int round = 0; round < ROUNDS; round++) {
      String occurrence = "2026-03-01T09:00Z#" + round;
      List<LedgerClaim> claims =
          race(
              () ->
                  hostA.transactionResult(
                      tx -> tx.recordPending("winback", occurrence, customers, T0)),
              () ->
                  hostB.transactionResult(
                      tx -> tx.recordPending("winback", occurrence, customers, T0)));
      List<String> a = claims.get(0).claimed();
      List<String> b = claims.get(1).claimed();
      assertThat(Collections.disjoint(a, b)).isTrue();
      assertThat(a.size() + b.size()).isEqualTo(customers.size());
      // What one host did not claim it reports as the other's pending send.
      assertThat(claims.get(0).skipped().keySet()).containsExactlyInAnyOrderElementsOf(b);
      assertThat(claims.get(1).skipped().keySet()).containsExactlyInAnyOrderElementsOf(a);
      assertThat(claims.get(0).skipped().values()).allMatch(LedgerState.PENDING::equals);
      assertThat(claims.get(1).skipped().values()).allMatch(LedgerState.PENDING::equals);
      assertThat(hostA.ledgerCounts("winback", occurrence))
          .containsEntry(LedgerState.PENDING, 250L);
    }
  }

  @Test
  void hostsOpeningANewSchemaAtOnceMigrateItOnce() throws Exception {
    DataSource fresh = TestPostgres.freshSchema();
    List<SyncStateStore> stores =
        race(() -> SyncStateStore.postgres(fresh), () -> SyncStateStore.postgres(fresh));
    try {
      stores.get(0).putLastSuccess("scope", T0);
      assertThat(stores.get(1).lastSuccess("scope")).contains(T0);
      try (Connection c = fresh.getConnection();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT version, COUNT(*) FROM schema_version GROUP BY version")) {
        List<Integer> versions = new ArrayList<>();
        while (rs.next()) {
          versions.add(rs.getInt(1));
          assertThat(rs.getInt(2)).as("rows of version %d", rs.getInt(1)).isEqualTo(1);
        }
        assertThat(versions).contains(1, JdbcStateStore.SCHEMA_VERSION);
      }
    } finally {
      stores.forEach(SyncStateStore::close);
    }
  }

  @Test
  void aStoreRefusesASchemaOfANewerVersion() throws SQLException {
    try (Connection c = database.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO schema_version (version, applied_at) VALUES ("
              + (JdbcStateStore.SCHEMA_VERSION + 1)
              + ", 'later')");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SyncStateStore.postgres(database))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("PostgreSQL state store jdbc:postgresql://")
        .hasMessageNotContaining("?")
        .hasMessageContaining("newer version");
  }
}
