package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host on a PostgreSQL state store (a real server from Maven, no Docker): two daemon replicas,
 * of which one takes the lease {@code daemon/<name>} and runs the nightly sync while the other
 * stands by and takes over when the first stops; and {@code check}'s report of the store.
 */
class DaemonLeaseTest {
  private static final Map<String, String> ENV =
      Map.of(
          "BRAZE_KEY", "braze-secret-123",
          "ODP_KEY", "odp-secret-456",
          "PG_USER", "postgres",
          "PG_PASSWORD", "pg-secret-789");
  // 200 ms before the nightly run: both replicas would run it if nothing stopped one.
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T01:59:59.800Z"), ZoneOffset.UTC);

  private static EmbeddedPostgres server;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    server = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private HostConfig config(String schema) throws Exception {
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    Path file = dir.resolve("replica.json");
    // Braze is unreachable: a run fails fast, and "segment sync: started" counts the runs.
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "http://127.0.0.1:9/"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "http://127.0.0.1:9/"},
          "state": {"postgres": {"url": "%s", "userEnv": "PG_USER", "passwordEnv": "PG_PASSWORD"}},
          "segmentSync": {"segments": ["Gold members"]},
          "daemon": {"segmentSyncAt": "02:00", "zone": "UTC"}
        }
        """
            .formatted(
                "jdbc:postgresql://localhost:"
                    + server.getPort()
                    + "/postgres?currentSchema="
                    + schema));
    return HostConfig.load(file, ENV::get);
  }

  @Test
  void twoReplicasRunTheNightlySyncOnceAndTheStandbyTakesOver() throws Exception {
    HostConfig cfg = config("replicas");
    assertThat(cfg.daemon().leaseScope()).isEqualTo("daemon/replica");
    try (HostLogCapture log = new HostLogCapture();
        Host hostA = Host.open(cfg, null);
        Host hostB = Host.open(cfg, null)) {
      HostDaemon first =
          HostDaemon.start(hostA, cfg, CLOCK, new Log(), null, null, null, Duration.ofMillis(50));
      HostDaemon second =
          HostDaemon.start(hostB, cfg, CLOCK, new Log(), null, null, null, Duration.ofMillis(50));
      try {
        await(() -> count(log.text(), "segment sync: started") == 1, log);
        assertThat(count(log.text(), "daemon: leading; daemon/replica held by")).isEqualTo(1);
        assertThat(count(log.text(), "daemon: standing by; daemon/replica is held by"))
            .isEqualTo(1);
        // The standby keeps asking (every 50 ms) and keeps being refused: still one run.
        Thread.sleep(500);
        assertThat(count(log.text(), "segment sync: started")).as(log.text()).isEqualTo(1);

        // The leader stops and releases the lease; the standby leads and runs the sync due.
        first.close();
        await(() -> count(log.text(), "segment sync: started") == 2, log);
        assertThat(count(log.text(), "daemon: leading; daemon/replica held by")).isEqualTo(2);
      } finally {
        first.close();
        second.close();
      }
    }
  }

  @Test
  void checkReportsThePostgresStoreWithoutItsPassword() throws Exception {
    HostConfig cfg = config("checked");
    CheckCommand.Row ok = CheckCommand.postgres(cfg.postgres());
    assertThat(ok.verdict()).isEqualTo(CheckCommand.Verdict.PASS);
    assertThat(ok.detail())
        .startsWith("PostgreSQL jdbc:postgresql://localhost:")
        .contains("as postgres: connected, schema current; outbox holds 0 events");

    HostConfig.Postgres unreachable =
        new HostConfig.Postgres(
            "jdbc:postgresql://127.0.0.1:9/postgres", "postgres", "PG_PASSWORD", "pg-secret-789");
    CheckCommand.Row failed = CheckCommand.postgres(unreachable);
    assertThat(failed.verdict()).isEqualTo(CheckCommand.Verdict.FAIL);
    assertThat(failed.detail())
        .startsWith("PostgreSQL jdbc:postgresql://127.0.0.1:9/postgres as postgres: ")
        .contains("cannot connect")
        .doesNotContain("pg-secret");
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static void await(BooleanSupplier condition, HostLogCapture log)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(log.text()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
