package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a real process: started in a child JVM against the sandboxes, stopped with SIGTERM
 * while the Currents forwarder is still sending to a slow ODP.
 */
class DaemonProcessTest {
  private static final String TOKEN = "daemon-test-token";

  @TempDir Path dir;

  @Test
  void theDaemonStopsWithinFiveSecondsOfSigtermWithTheOutboxFlushed() throws Exception {
    // The bounds of each part, added up, leave room for the JVM's own exit under 5 s.
    assertThat(HostDaemon.STOP_BUDGET).isLessThanOrEqualTo(Duration.ofMillis(4_500));
    InMemoryBraze braze = new InMemoryBraze();
    InMemoryOdp odp = new InMemoryOdp();
    DemoWorld.seed(braze, odp, 42);
    Path state = dir.resolve("state.db");
    int eventsBefore;
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(braze);
        OdpSandbox odpSandbox = new OdpSandbox(odp)) {
      int port = freePort();
      Path config = dir.resolve("config.json");
      Files.writeString(
          config,
          """
          {
            "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
            "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
            "state": {"sqlite": "%s"},
            "segmentSync": {"segments": "all"},
            "currents": {"port": %d, "tokensEnv": ["CURRENTS_TOKEN"]},
            "daemon": {"segmentSyncAt": "02:00", "zone": "Europe/Paris"},
            "activations": [{
              "name": "welcome", "segment": "engaged_customers",
              "schedule": {"start": "2026-01-01T09:00", "zone": "Europe/Paris", "unit": "DAYS"},
              "target": {"email": true}, "touchpoint": {"campaign": "demo-campaign-welcome"}
            }]
          }
          """
              .formatted(
                  brazeSandbox.baseUrl(),
                  odpSandbox.baseUrl(),
                  state.toString().replace("\\", "\\\\"),
                  port));
      // A first sync through the CLI fills the identity map the receiver identifies events by.
      assertThat(
              Main.run(
                  java.util.Map.of(
                          "BRAZE_KEY", brazeSandbox.apiKey(),
                          "ODP_KEY", odpSandbox.apiKey(),
                          "CURRENTS_TOKEN", TOKEN)
                      ::get,
                  "sync-segments",
                  "--config",
                  config.toString()))
          .isZero();
      eventsBefore = odp.events().size();
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "daemon",
                  "--config",
                  config.toString())
              .redirectErrorStream(true);
      pb.environment().put("BRAZE_KEY", brazeSandbox.apiKey());
      pb.environment().put("ODP_KEY", odpSandbox.apiKey());
      pb.environment().put("CURRENTS_TOKEN", TOKEN);
      // Into a file, not a pipe: Process.destroy() closes the pipes, and the shutdown lines come
      // after it.
      Path output = dir.resolve("daemon.log");
      pb.redirectOutput(output.toFile());
      Process daemon = pb.start();
      try {
        String log = awaitLine(output, "daemon: started", Duration.ofSeconds(60));
        assertThat(log)
            .contains("segment sync: next run at")
            .contains("activation welcome: every 1 day(s) at 09:00 Europe/Paris")
            .contains("Currents receiver: listening on port " + port);

        // ODP answers slowly, so the batch is still being forwarded when SIGTERM arrives.
        odpSandbox.wire().latency(Duration.ofMillis(1_500));
        String batch = DemoFlows.currentsBatch(braze, Instant.now());
        HttpResponse<String> posted =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/currents"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .header("Braze-Currents-Version", "1")
                        .POST(HttpRequest.BodyPublishers.ofString(batch))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        assertThat(posted.body()).contains("\"queued\":3");

        long start = System.nanoTime();
        daemon.destroy(); // SIGTERM
        boolean exited = daemon.waitFor(5, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(exited).as("exited within 5 s; output:%n%s", Files.readString(output)).isTrue();
        assertThat(millis).isLessThan(5_000);
        System.out.printf(
            "daemon stopped %d ms after SIGTERM:%n%s", millis, Files.readString(output));
        assertThat(daemon.exitValue()).isEqualTo(143);
        assertThat(Files.readString(output))
            .contains("daemon: stopping")
            .contains("Currents receiver: stopped;")
            .contains("outbox holds 0 events")
            .contains("daemon: stopped");
      } finally {
        daemon.destroyForcibly();
      }
    }
    try (SyncStateStore store = SyncStateStore.sqlite(state)) {
      assertThat(store.outboxSize().messages()).isZero();
    }
    List<OdpEvent> forwarded =
        odp.events().stream().filter(e -> e.data().containsKey("_braze_event_type")).toList();
    assertThat(forwarded).hasSize(3);
    assertThat(odp.events()).hasSize(eventsBefore + 3);
  }

  private static String awaitLine(Path output, String wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String text = "";
    while (System.nanoTime() < deadline) {
      text = Files.readString(output);
      if (text.contains(wanted)) {
        return text;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line with \"" + wanted + "\" within " + timeout + ":\n" + text);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
