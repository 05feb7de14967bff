package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.Segment;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The host's run lock (exit 75, --wait) and the activity command's JSON and limits. */
class SyncSegmentsLockTest {
  @TempDir Path dir;

  private final InMemoryBraze braze = new InMemoryBraze();
  private final InMemoryOdp odp = new InMemoryOdp();

  {
    DemoWorld.seed(braze, odp, 42);
  }

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Function<String, String> env, String... args) {
    CommandLine cli = Main.commandLine(env);
    err.reset();
    cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    return cli.execute(args);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private Path config(BrazeSandbox b, OdpSandbox o) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
          "state": {"sqlite": "%s"},
          "segmentSync": {"segments": "all", "createMissingFields": true}
        }
        """
            .formatted(
                b.baseUrl(),
                o.baseUrl(),
                dir.resolve("state.db").toString().replace("\\", "\\\\")));
    return file;
  }

  @Test
  void aBusySegmentExits75AndTheRunGoesAheadOnceItIsFree() throws Exception {
    try (BrazeSandbox b = new BrazeSandbox(braze);
        OdpSandbox o = new OdpSandbox(odp)) {
      Path config = config(b, o);
      Function<String, String> env = Map.of("BRAZE_KEY", b.apiKey(), "ODP_KEY", o.apiKey())::get;
      String scope = null;
      try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
        for (Segment segment : braze.segments()) {
          scope = "segment-sync/" + segment.id();
          store.tryLock(scope, "nightly@cron-host#1", Instant.now(), Duration.ofMinutes(5));
          break;
        }
      }
      assertThat(scope).isNotNull();

      assertThat(run(env, "sync-segments", "--config", config.toString())).isEqualTo(75);
      assertThat(err())
          .contains("busy: another run holds " + scope)
          .contains("nightly@cron-host#1");
      assertThat(odp.upserts()).isEmpty();

      assertThat(run(env, "sync-segments", "--config", config.toString(), "--wait", "soon"))
          .isEqualTo(64);
      assertThat(err()).contains("--wait must be a duration such as 90s, 10m, 1h or PT5M");

      try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
        assertThat(store.unlock(scope, "nightly@cron-host#1")).isTrue();
      }
      assertThat(run(env, "sync-segments", "--config", config.toString(), "--wait", "10s"))
          .isIn(ExitCodes.OK, ExitCodes.PARTIAL);
      assertThat(odp.upserts()).isNotEmpty();

      PrintStream stdout = System.out;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        assertThat(run(env, "activity", "--config", config.toString(), "--json")).isZero();
      } finally {
        System.setOut(stdout);
      }
      String json = out.toString(StandardCharsets.UTF_8);
      assertThat(json.lines()).hasSize(1);
      assertThat(json)
          .contains("\"flow\":\"SEGMENT_SYNC\"")
          .contains("\"brazeRequests\":")
          .contains("\"odpRequests\":")
          .contains("\"reason\":");
      assertThat(json).doesNotContain("\"brazeRequests\":0,");

      assertThat(run(env, "activity", "--config", config.toString(), "--limit", "0")).isEqualTo(64);
      assertThat(err()).contains("--limit must be at least 1, was 0").doesNotContain("Exception");
    }
  }

  @Test
  void waitAcceptsTheUsualDurations() {
    SyncSegmentsCommand.WaitConverter c = new SyncSegmentsCommand.WaitConverter();
    assertThat(c.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(c.convert("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.convert("30")).isEqualTo(Duration.ofSeconds(30));
  }
}
