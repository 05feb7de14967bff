package io.github.brazeodp.samples.currents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.RateLimits;
import io.github.brazeodp.odp.RetrySettings;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Braze's side of the protocol, over real HTTP, against the sample server. */
class CurrentsHttpServerTest {
  private static final String TOKEN = "c2FtcGxlLXRva2VuLTIwMjY";
  private final HttpClient http = HttpClient.newHttpClient();

  private static String fixture(String name) throws IOException {
    String root = System.getProperty("brazeodp.root", "..");
    Path file = Path.of(root).resolve("../shared/fixtures/currents").resolve(name).normalize();
    boolean present = Files.isRegularFile(file);
    if (!present) {
      System.err.println("NOTICE: " + file + " not found; skipping fixture-based test");
    }
    assumeTrue(present, "shared fixture absent: " + file);
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private HttpResponse<String> post(int port, String token, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/currents"))
            .header("Content-Type", "application/json")
            .header("Braze-Currents-Version", "1")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static CurrentsReceiverMain.Settings settings(Path dir) {
    return CurrentsReceiverMain.Settings.fromEnvironment(
        Map.of(
            "PORT",
            "0",
            "CURRENTS_TOKENS",
            "old-token-1, " + TOKEN,
            "STATE_DB",
            dir.resolve("state.db").toString()));
  }

  @Test
  void brazePostsABatchAndTheEventsReachOdp(@TempDir Path dir) throws Exception {
    byte[] batch = fixture("legacy/batch_envelope_example.json").getBytes(StandardCharsets.UTF_8);
    String single = fixture("http/users.messages.email.Open.json");
    InMemoryOdp odp = new InMemoryOdp();
    try (CurrentsReceiverMain.Running running = CurrentsReceiverMain.start(settings(dir), odp)) {
      int port = running.port();

      // Credential check with an empty batch: refused without the token, accepted with it.
      HttpResponse<String> noToken =
          post(port, null, "{\"events\":[]}".getBytes(StandardCharsets.UTF_8));
      assertThat(noToken.statusCode()).isEqualTo(401);
      assertThat(noToken.headers().firstValue("WWW-Authenticate"))
          .contains("Bearer realm=\"braze-currents\"");
      assertThat(post(port, TOKEN, new byte[0]).statusCode()).isEqualTo(200);
      assertThat(post(port, "old-token-1", new byte[0]).statusCode()).isEqualTo(200);
      assertThat(post(port, "wrong", new byte[0]).statusCode()).isEqualTo(401);

      HttpResponse<String> ok =
          post(port, TOKEN, ("{\"events\":[" + single + "]}").getBytes(StandardCharsets.UTF_8));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).contains("application/json");
      assertThat(ok.body()).contains("\"queued\":1");

      // The legacy batch: a session event with only Braze ids (unmatched) and an email open.
      HttpResponse<String> legacy = post(port, TOKEN, batch);
      assertThat(legacy.statusCode()).isEqualTo(200);
      assertThat(legacy.body()).contains("\"received\":2", "\"queued\":1", "\"unmatched\":1");

      HttpResponse<String> garbage = post(port, TOKEN, "not json".getBytes(StandardCharsets.UTF_8));
      assertThat(garbage.statusCode()).isEqualTo(400);
      assertThat(garbage.body()).contains("malformed JSON");

      // The 413 comes from the headers, before a body byte is read: announce a body over the
      // limit and send none. (A client still writing the body when the server closes may see a
      // broken pipe instead of the answer, so the test does not race one.)
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        String head =
            "POST /currents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Braze-Currents-Version: 1\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Length: "
                + (running.receiver().maxBodyBytes() + 100)
                + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String status =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertThat(status).startsWith("HTTP/1.1 413");
      }

      HttpResponse<String> get =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/currents")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);
    } // close: stops the server and flushes the outbox

    assertThat(odp.events())
        .extracting(OdpEvent::idempotenceId)
        .containsExactly(
            "f47ac10b-58cc-4372-a567-0e02b2c3d479", "a1234567-89ab-cdef-0123-456789abcdef");
    OdpEvent e = odp.events().get(0);
    assertThat(e.action()).isEqualTo("messages_email_open");
    assertThat(e.identifiers()).containsEntry("email", "example@braze.com");
    assertThat(e.data()).containsEntry("_braze_campaign_name", "campaign_name");
    try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
      assertThat(store.outboxSize().messages()).isZero();
      assertThat(store.recentActivity(ActivityRecord.Flow.CURRENTS, 10)).isNotEmpty();
    }
  }

  @Test
  void theMainWiringForwardsThroughTheRealOdpClient(@TempDir Path dir) throws Exception {
    String single = fixture("http/users.messages.sms.Delivery.json");
    try (MockWebServer odpServer = new MockWebServer()) {
      odpServer.enqueue(
          new MockResponse.Builder()
              .code(202)
              .addHeader("Content-Type", "application/json")
              .body(
                  "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}")
              .build());
      odpServer.start();
      try (OdpClient client =
          OdpClient.builder()
              .apiKey("sample-odp-key")
              .baseUrl(odpServer.url("/v3/").toString())
              .rateLimits(RateLimits.unlimited())
              .retry(RetrySettings.none())
              .build()) {
        try (CurrentsReceiverMain.Running running =
            CurrentsReceiverMain.start(settings(dir), new OdpClientGateway(client))) {
          HttpResponse<String> r =
              post(
                  running.port(),
                  TOKEN,
                  ("{\"events\":[" + single + "]}").getBytes(StandardCharsets.UTF_8));
          assertThat(r.statusCode()).isEqualTo(200);
        }
      }
      RecordedRequest sent = odpServer.takeRequest();
      assertThat(sent.getTarget()).isEqualTo("/v3/events");
      assertThat(sent.getHeaders().get("x-api-key")).isEqualTo("sample-odp-key");
      assertThat(sent.getBody().utf8())
          .contains("\"action\":\"messages_sms_delivery\"")
          .contains("\"identifiers\":{\"phone\":\"+1234567890\"}")
          .contains("\"idempotence_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\"");
    }
  }

  @Test
  void settingsNameTheMissingVariable() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CurrentsReceiverMain.Settings.fromEnvironment(Map.of()))
        .hasMessage("environment variable CURRENTS_TOKENS is required");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                CurrentsReceiverMain.Settings.fromEnvironment(
                    Map.of("CURRENTS_TOKENS", "t", "PORT", "eighty")))
        .hasMessage("environment variable PORT must be a whole number, was \"eighty\"");
    assertThat(
            CurrentsReceiverMain.Settings.fromEnvironment(Map.of("CURRENTS_TOKENS", "a,b"))
                .tokens())
        .isEqualTo(List.of("a", "b"));
  }
}
