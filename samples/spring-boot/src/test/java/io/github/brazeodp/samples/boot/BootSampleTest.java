package io.github.brazeodp.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.odp.FieldType;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.ActivityRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Starts the Boot host against the local Braze and ODP sandboxes, with a SQLite state file. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Boot tests leave metrics export (the Prometheus registry) off unless asked.
@AutoConfigureObservability(tracing = false)
class BootSampleTest {
  private static final String TOKEN = "currents-token-1";
  private static final InMemoryBraze BRAZE = new InMemoryBraze();
  private static final InMemoryOdp ODP =
      new InMemoryOdp().putField("_braze_loyalty_tier", FieldType.STRING);
  private static final BrazeSandbox BRAZE_SANDBOX = new BrazeSandbox(BRAZE);
  private static final OdpSandbox ODP_SANDBOX = new OdpSandbox(ODP);
  private static final Path STATE_DIR = tempDir();

  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired NightlySegmentSync nightly;
  @Autowired CurrentsReceiver receiver;
  @Autowired CurrentsForwarder forwarder;

  static {
    BRAZE
        .putUser(
            ExportedUser.builder()
                .brazeId("b1")
                .email("ann@example.com")
                .firstName("Ann")
                .customAttribute("loyalty_tier", "GOLD")
                .build())
        .putSegment("seg-1", "Gold members", List.of("b1"));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("boot-sample");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @DynamicPropertySource
  static void sandboxes(DynamicPropertyRegistry registry) {
    registry.add("braze-odp.braze.base-url", BRAZE_SANDBOX::baseUrl);
    registry.add("braze-odp.braze.api-key-env", () -> "TEST_BRAZE_KEY");
    registry.add("TEST_BRAZE_KEY", BRAZE_SANDBOX::apiKey);
    registry.add("braze-odp.odp.base-url", ODP_SANDBOX::baseUrl);
    registry.add("braze-odp.odp.api-key-env", () -> "TEST_ODP_KEY");
    registry.add("TEST_ODP_KEY", ODP_SANDBOX::apiKey);
    registry.add("braze-odp.currents.tokens-env", () -> "TEST_CURRENTS_TOKEN");
    registry.add("TEST_CURRENTS_TOKEN", () -> TOKEN);
    registry.add("braze-odp.state.sqlite", () -> STATE_DIR.resolve("state.db").toString());
  }

  @AfterAll
  static void stopSandboxes() {
    BRAZE_SANDBOX.close();
    ODP_SANDBOX.close();
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String currentsBatch(String id, String email) {
    return "{\"events\":[{\"event_type\":\"users.messages.email.Open\",\"id\":\""
        + id
        + "\",\"time\":2033802504,\"user\":{\"user_id\":\"b1\"},"
        + "\"properties\":{\"email_address\":\""
        + email
        + "\"}}]}";
  }

  @Test
  void theNightlySyncRunsAgainstTheSandboxes() {
    SyncReport report = nightly.run();

    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);
    assertThat(ODP.customer("email", "ann@example.com"))
        .containsEntry("first_name", "Ann")
        .containsEntry("_braze_loyalty_tier", "gold");
    assertThat(nightly.lastReport()).isSameAs(report);
  }

  @Test
  void currentsAreAcceptedOnceThenRecognisedAsDuplicates() throws Exception {
    String batch = currentsBatch("evt-1", "cy@example.com");
    long duplicatesBefore = receiver.counts().duplicates();

    HttpResponse<String> first = post("/currents", TOKEN, batch);
    HttpResponse<String> again = post("/currents", TOKEN, batch);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"queued\":1");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(receiver.counts().duplicates() - duplicatesBefore).isEqualTo(1);

    forwarder.drainOnce();
    assertThat(ODP.events("messages_email_open"))
        .anySatisfy(e -> assertThat(e.identifiers()).containsEntry("email", "cy@example.com"));
  }

  @Test
  void aWrongTokenIsRefused() throws Exception {
    HttpResponse<String> wrong = post("/currents", "not-the-token", currentsBatch("e2", "d@x.io"));
    HttpResponse<String> none = post("/currents", null, "{\"events\":[]}");

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
  }

  @Test
  void actuatorHealthReportsTheSdk() throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"brazeOdpSync\"", "\"currentsOutboxEvents\"");
  }

  @Test
  void actuatorExposesTheSdksMetricsAfterARun() throws Exception {
    SyncReport report = nightly.run();
    assertThat(report.status()).isEqualTo(ActivityRecord.Status.SUCCEEDED);

    HttpResponse<String> scraped = get("/actuator/prometheus");
    assertThat(scraped.statusCode()).isEqualTo(200);
    java.util.Map<String, Double> samples = new java.util.HashMap<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$",
                java.util.regex.Pattern.MULTILINE)
            .matcher(scraped.body());
    while (m.find()) {
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
    }
    // Only segment syncs call Braze here, so the client's attempts are the sandbox's requests.
    assertThat(sum(samples, "brazeodp_http_requests_seconds_count{", "api=\"braze\""))
        .isEqualTo(BRAZE_SANDBOX.requestCount())
        .isPositive();
    assertThat(sum(samples, "brazeodp_sync_rows_total{", "flow=\"segment_sync\",outcome=\"sent\""))
        .isGreaterThanOrEqualTo(report.activity().counts().sent())
        .isPositive();
    assertThat(sum(samples, "brazeodp_sync_runs_seconds_count{", "flow=\"segment_sync\""))
        .isPositive();
    assertThat(samples).containsKey("brazeodp_outbox_messages");

    HttpResponse<String> metric = get("/actuator/metrics/brazeodp.http.requests?tag=api:braze");
    assertThat(metric.statusCode()).isEqualTo(200);
    assertThat(metric.body()).contains("\"name\":\"brazeodp.http.requests\"", "\"COUNT\"");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long sum(java.util.Map<String, Double> samples, String prefix, String labels) {
    return Math.round(
        samples.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(labels))
            .mapToDouble(java.util.Map.Entry::getValue)
            .sum());
  }
}
