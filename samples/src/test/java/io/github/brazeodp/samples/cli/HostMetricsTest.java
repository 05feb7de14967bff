package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.ActivityCounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of the host: the daemon's own health port (no page, no receiver), the
 * Currents port and the page, each authorized like the page.
 */
class HostMetricsTest {
  private static final String BRAZE_KEY = "metrics-braze-key-6a1f";
  private static final String ODP_KEY = "metrics-odp-key-2b7c";
  private static final String UI_TOKEN = "ui-token-metrics-0123456789";
  private static final String CURRENTS_TOKEN = "currents-token-metrics-4411";
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

  @TempDir Path dir;

  private final InMemoryBraze braze = new InMemoryBraze();
  private final InMemoryOdp odp = new InMemoryOdp();

  {
    DemoWorld.seed(braze, odp, 42);
  }

  private HostConfig config(BrazeSandbox b, OdpSandbox o, String extra) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
          "state": {"sqlite": "%s"},
          "segmentSync": {"segments": "all"}%s
        }
        """
            .formatted(
                b.baseUrl(),
                o.baseUrl(),
                dir.resolve("state.db").toString().replace("\\", "\\\\"),
                extra));
    return HostConfig.load(
        file,
        Map.of(
                "BRAZE_KEY",
                b.apiKey(),
                "ODP_KEY",
                o.apiKey(),
                "UI_TOKEN",
                UI_TOKEN,
                "CURRENTS_TOKEN",
                CURRENTS_TOKEN)
            ::get);
  }

  @Test
  void aDaemonWithoutPageOrReceiverServesHealthAndMetricsMatchingTheSandboxesCounts()
      throws Exception {
    try (BrazeSandbox b = BrazeSandbox.builder().fake(braze).apiKey(BRAZE_KEY).build();
        OdpSandbox o = OdpSandbox.builder().fake(odp).apiKey(ODP_KEY).build()) {
      HostConfig cfg =
          config(b, o, ",\n\"daemon\": {\"healthPort\": 0, \"healthHost\": \"127.0.0.1\"}");
      try (HostLogCapture log = new HostLogCapture();
          Host host = Host.open(cfg, null);
          HostDaemon daemon =
              HostDaemon.start(
                  host,
                  cfg,
                  Clock.systemUTC(),
                  new Log(),
                  null,
                  null,
                  cfg.daemon().healthAddress())) {
        Matcher m =
            Pattern.compile("health: http://127\\.0\\.0\\.1:(\\d+)/health and /metrics")
                .matcher(log.text());
        assertThat(m.find()).as(log.text()).isTrue();
        String base = "http://127.0.0.1:" + m.group(1);

        SyncReport report = SyncSegmentsCommand.run(host, cfg, false, false);
        assertThat(report.activity().counts().sent()).isPositive();

        HttpResponse<String> scraped = get(base + "/metrics", null);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type").orElse(""))
            .startsWith("text/plain; version=0.0.4");
        Map<String, Double> samples = parse(scraped.body());
        // Every attempt the clients made is one request each sandbox received.
        assertThat(sum(samples, "brazeodp_http_requests_seconds_count", "api=\"braze\""))
            .isEqualTo(b.requestCount())
            .isPositive();
        assertThat(sum(samples, "brazeodp_http_requests_seconds_count", "api=\"odp\""))
            .isEqualTo(o.requestCount())
            .isPositive();
        ActivityCounts counts = report.activity().counts();
        assertThat(
                sum(samples, "brazeodp_sync_rows_total", "flow=\"segment_sync\",outcome=\"sent\""))
            .isEqualTo(counts.sent());
        assertThat(
                sum(
                    samples,
                    "brazeodp_sync_runs_seconds_count",
                    "flow=\"segment_sync\",status=\""
                        + report.status().name().toLowerCase()
                        + "\""))
            .isEqualTo(1);
        assertThat(samples).containsKey("brazeodp_outbox_messages");

        assertThat(get(base + "/health", null).body())
            .contains("\"last_segment_sync\":{\"status\":\"" + report.status().name());
        assertThat(get(base + "/health/live", null).statusCode()).isEqualTo(200);
        // Only health and metrics here: the page is not served without --ui.
        assertThat(get(base + "/", null).statusCode()).isEqualTo(404);
      }
    }
  }

  @Test
  void metricsOnTheCurrentsPortAndThePageNeedTheUiToken() throws Exception {
    try (BrazeSandbox b = BrazeSandbox.builder().fake(braze).apiKey(BRAZE_KEY).build();
        OdpSandbox o = OdpSandbox.builder().fake(odp).apiKey(ODP_KEY).build()) {
      HostConfig cfg =
          config(
              b,
              o,
              """
              ,
              "currents": {"port": 0, "tokensEnv": ["CURRENTS_TOKEN"]},
              "ui": {"port": 0, "host": "0.0.0.0", "tokenEnv": "UI_TOKEN"}
              """);
      try (HostLogCapture log = new HostLogCapture();
          Host host = Host.open(cfg, null);
          HostDaemon daemon =
              HostDaemon.start(
                  host,
                  cfg,
                  Clock.systemUTC(),
                  new Log(),
                  cfg.ui().address(null),
                  new io.github.brazeodp.samples.ui.UiInspector(10),
                  cfg.daemon().healthAddress())) {
        String currents = "http://127.0.0.1:" + daemon.currents().port();
        // The receiver runs, so its port is the daemon's health port: no second one is opened.
        assertThat(log.text()).doesNotContain("health: http://");
        assertThat(get(currents + "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(currents + "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(currents + "/metrics", CURRENTS_TOKEN).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = get(currents + "/metrics", UI_TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("brazeodp_outbox_messages");

        Matcher m =
            Pattern.compile("troubleshooting page: http://0\\.0\\.0\\.0:(\\d+)/")
                .matcher(log.text());
        assertThat(m.find()).as(log.text()).isTrue();
        String page = "http://127.0.0.1:" + m.group(1);
        assertThat(get(page + "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(page + "/metrics", "wrong-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(get(page + "/metrics", UI_TOKEN).body()).contains("brazeodp_outbox_messages");
        assertThat(get(page + "/health", null).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aHealthOnlyPortBeyondLoopbackWithoutTokenServesMetricsToThisMachineAlone() throws Exception {
    java.net.InetAddress external = nonLoopbackAddress();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        external != null, "no non-loopback address to connect from");
    try (io.github.brazeodp.sync.state.SyncStateStore store =
            io.github.brazeodp.sync.state.SyncStateStore.inMemory();
        io.github.brazeodp.samples.ui.TroubleshootingServer server =
            io.github.brazeodp.samples.ui.TroubleshootingServer.builder(store)
                .address(new java.net.InetSocketAddress("0.0.0.0", 0))
                .metrics(() -> "brazeodp_outbox_messages 0.0\n")
                .healthOnly()
                .start()) {
      assertThat(get("http://127.0.0.1:" + server.port() + "/metrics", null).statusCode())
          .isEqualTo(200);
      String remote = external.getHostAddress();
      String url = "http://" + (remote.contains(":") ? "[" + remote + "]" : remote);
      assertThat(get(url + ":" + server.port() + "/health", null).statusCode()).isEqualTo(200);
      // From another address, even one that claims a loopback Host, the scrape is refused.
      try (java.net.Socket socket = new java.net.Socket(external, server.port())) {
        socket
            .getOutputStream()
            .write(
                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String answer =
            new String(
                socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 401");
      }
    }
  }

  private static java.net.InetAddress nonLoopbackAddress() throws Exception {
    for (java.net.NetworkInterface nic :
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address) {
          return a;
        }
      }
    }
    return null;
  }

  /** Parses the text exposition: metric name plus labels to value. */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      samples.put(
          m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  /** Sums the samples of {@code name} whose labels contain {@code labels}. */
  private static long sum(Map<String, Double> samples, String name, String labels) {
    return Math.round(
        samples.entrySet().stream()
            .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains(labels))
            .mapToDouble(Map.Entry::getValue)
            .sum());
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
