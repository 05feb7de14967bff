package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.samples.ui.UiInspector;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's troubleshooting page and {@code GET /health}, and the {@code ui} config keys. */
class DaemonPageTest {
  private static final Map<String, String> ENV =
      Map.of(
          "BRAZE_KEY", "braze-secret-123",
          "ODP_KEY", "odp-secret-456",
          "UI_TOKEN", "ui-token-0123456789ab");

  @TempDir Path dir;

  private Path config(String ui) throws Exception {
    Path file = dir.resolve("config.json");
    // The clients are built but never called: no segments, activations or Currents configured.
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "http://127.0.0.1:9/"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "http://127.0.0.1:9/"},
          "state": {"sqlite": "%s"},
          "ui": %s
        }
        """
            .formatted(dir.resolve("state.db").toString().replace("\\", "\\\\"), ui));
    return file;
  }

  @Test
  void theDaemonServesThePageAndAHealthThatNamesAFailedSync() throws Exception {
    HostConfig cfg = HostConfig.load(config("{\"port\": 0}"), ENV::get);
    InetSocketAddress address = cfg.ui().address(null);
    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    UiInspector inspector = new UiInspector(10);
    try (HostLogCapture log = new HostLogCapture();
        Host host = Host.open(cfg, null, inspector);
        HostDaemon daemon =
            HostDaemon.start(host, cfg, Clock.systemUTC(), new Log(), address, inspector)) {
      Matcher m =
          Pattern.compile("troubleshooting page: http://127\\.0\\.0\\.1:(\\d+)/")
              .matcher(log.text());
      assertThat(m.find()).as(log.text()).isTrue();
      String base = "http://127.0.0.1:" + m.group(1);

      HttpResponse<String> up = get(base + "/health");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body())
          .startsWith("{\"status\":\"UP\",\"store\":\"writable\",\"outbox\":{\"messages\":0")
          .contains("\"last_segment_sync\":null")
          .doesNotContain("problems");

      Instant t = Instant.parse("2026-12-01T02:00:00Z");
      host.state.appendActivity(
          new ActivityRecord(
              "sync-1",
              ActivityRecord.CATEGORY_BRAZE,
              ActivityRecord.Flow.SEGMENT_SYNC,
              "all",
              t,
              t.plusSeconds(5),
              ActivityRecord.Status.FAILED,
              ActivityCounts.empty(),
              List.of(),
              "Braze answered 401"));
      HttpResponse<String> failed = get(base + "/health");
      // A failed nightly sync is named but does not take the daemon out of its load balancer.
      assertThat(failed.statusCode()).isEqualTo(200);
      assertThat(failed.body())
          .contains("\"last_segment_sync\":{\"status\":\"FAILED\"")
          .contains(
              "\"problems\":[\"the last segment sync failed at 2026-12-01T02:00:05Z: Braze"
                  + " answered 401\"]");

      HttpResponse<String> page = get(base + "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Braze answered 401").contains("Start inspector");
    }
  }

  @Test
  void aPageBeyondLoopbackWithoutItsTokenIsRefusedWithExit64() throws Exception {
    Path noTokenEnv = config("{\"port\": 0, \"host\": \"0.0.0.0\"}");
    assertThatThrownBy(() -> HostConfig.load(noTokenEnv, ENV::get).ui().address(null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("set ui.tokenEnv");
    assertThat(Main.run(ENV::get, "daemon", "--config", noTokenEnv.toString()))
        .isEqualTo(ExitCodes.USAGE);

    Path unset = config("{\"host\": \"0.0.0.0\", \"tokenEnv\": \"UNSET_TOKEN\"}");
    assertThatThrownBy(() -> HostConfig.load(unset, ENV::get).ui().address(-1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("UNSET_TOKEN (named by ui.tokenEnv) is not set");
    assertThat(Main.run(ENV::get, "daemon", "--config", unset.toString(), "--ui"))
        .isEqualTo(ExitCodes.USAGE);
    // Without --ui and ui.port the page is off, so its settings do not matter.
    assertThat(HostConfig.load(unset, ENV::get).ui().address(null)).isNull();

    Path withToken = config("{\"host\": \"0.0.0.0\", \"tokenEnv\": \"UI_TOKEN\"}");
    HostConfig ok = HostConfig.load(withToken, ENV::get);
    assertThat(ok.ui().address(0).getPort()).isZero();
    assertThat(ok.ui().address(-1).getPort()).isEqualTo(HostConfig.DEFAULT_UI_PORT);
    assertThat(ok.ui().token()).isEqualTo("ui-token-0123456789ab");
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
