package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.DiskSpace;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's Currents receiver over HTTP on a SQLite state file whose disk fills up: posts get 503
 * with Retry-After while writes fail, and once space returns the same process takes the resent
 * batch and delivers every acknowledged event, without a restart. A store that closes itself, on
 * the other hand, is noticed so that the process exits non-zero.
 */
class CurrentsDiskFullTest {
  private static final String TOKEN = "ZGlzay1mdWxsLWhvc3QtdG9rZW4";

  @TempDir Path dir;

  @Test
  void aFullDiskIs503UntilSpaceReturnsThenEverythingIsDeliveredWithoutRestart() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(new InMemoryBraze());
        OdpSandbox odpSandbox = new OdpSandbox(odp)) {
      Path config = dir.resolve("config.json");
      Files.writeString(
          config,
          """
          {
            "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
            "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
            "state": {"sqlite": "%s"},
            "currents": {"port": %d, "tokensEnv": ["CURRENTS_TOKEN"]}
          }
          """
              .formatted(
                  brazeSandbox.baseUrl(),
                  odpSandbox.baseUrl(),
                  dir.resolve("state.db").toString().replace("\\", "\\\\"),
                  port));
      HostConfig cfg =
          HostConfig.load(
              config,
              Map.of(
                      "BRAZE_KEY", brazeSandbox.apiKey(),
                      "ODP_KEY", odpSandbox.apiKey(),
                      "CURRENTS_TOKEN", TOKEN)
                  ::get);
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + port + "/currents");
      try (Host host = Host.open(cfg, null);
          CurrentsService service =
              CurrentsService.start(host, cfg, Duration.ofSeconds(1), false)) {
        // ODP is slow, so the acknowledged batch is still in the outbox when the disk fills.
        odpSandbox.wire().latency(Duration.ofMillis(500));
        assertThat(post(http, uri, "acked-", 5).statusCode()).isEqualTo(200);
        DiskSpace.fill(host.state);

        HttpResponse<String> full = post(http, uri, "later-", 300);
        assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
        assertThat(full.headers().firstValue("Retry-After")).isPresent();
        // Failing, not closed: the process stays up and waits for the space to return.
        assertThat(host.stateClosed()).isFalse();

        DiskSpace.free(host.state);
        odpSandbox.wire().latency(Duration.ZERO);
        HttpResponse<String> resent = post(http, uri, "later-", 300);
        assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // ODP holds an event a moment before the forwarder acknowledges it in the outbox.
        while ((delivered(odp).size() < 305 || host.state.outboxSize().messages() > 0)
            && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(delivered(odp)).hasSize(305).contains("acked-0", "later-0", "later-299");
        assertThat(host.state.outboxSize().messages()).isZero();

        // Closed for good (its connection unusable): the commands' watch ends the process.
        host.state.close();
        assertThat(host.stateClosed()).isTrue();
        assertThat(host.awaitStopOrClosedStore(new CountDownLatch(1), Duration.ofMillis(10)))
            .isTrue();
      }
    }
  }

  private static Set<String> delivered(InMemoryOdp odp) {
    return odp.events().stream()
        .map(OdpEvent::idempotenceId)
        .filter(id -> id != null && (id.startsWith("acked-") || id.startsWith("later-")))
        .collect(Collectors.toSet());
  }

  private static HttpResponse<String> post(HttpClient http, URI uri, String prefix, int n)
      throws Exception {
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
    b.append("]}");
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
