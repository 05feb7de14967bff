package io.github.brazeodp.sync.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.BrazeAuthException;
import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.TrackRequest;
import io.github.brazeodp.braze.UserAttributes;
import io.github.brazeodp.braze.UserIdentifier;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inspector wired into real clients talking to a MockWebServer. */
class ClientWiringTest {
  private static final String BRAZE_KEY = "braze-rest-key-4f1c9a";
  private static final String ODP_KEY = "odp-private-key-77ab.eu1";

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private BrazeClient braze(EventInspector inspector) {
    return BrazeClient.builder()
        .apiKey(BRAZE_KEY)
        .baseUrl(server.url("/").toString())
        .eventListener(inspector.brazeListener())
        .build();
  }

  private OdpClient odp(EventInspector inspector) {
    return OdpClient.builder()
        .apiKey(ODP_KEY)
        .baseUrl(server.url("/v3/").toString())
        .eventListener(inspector.odpListener())
        .build();
  }

  private static TrackRequest track() {
    return TrackRequest.builder()
        .attributes(
            UserAttributes.builder(UserIdentifier.externalId("user-1"))
                .set("first_name", "Ada")
                .build())
        .build();
  }

  private static OdpEvent segmentEntered() {
    return OdpEvent.builder("braze", "segment_entered")
        .identifier("email", "ada@example.com")
        .data("_braze_segment_id", "seg-1")
        .idempotenceId("fixed-id")
        .build();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r).as("request").isNotNull();
    return r;
  }

  @Test
  void seesEndpointStatusBodiesAndTimingOfBothClientsButNoKey() throws Exception {
    RingBufferInspector recent = EventInspector.ringBuffer(10);
    RingBufferInspector brazeData = EventInspector.ringBuffer(10);
    Path file = dir.resolve("exchanges.jsonl");
    try (JsonLinesInspector lines = EventInspector.jsonLines(file)) {
      EventInspector inspector =
          EventInspector.tee(
                  EventInspector.tee(recent, lines),
                  EventInspector.filtered(
                      brazeData, EventInspector.onlyFieldsStartingWith("_braze")))
              .withSecrets(BRAZE_KEY, ODP_KEY);
      // Both servers echo the caller's key in a field no rule would catch; only the secret does.
      server.enqueue(
          json(
              201,
              "{\"message\":\"success\",\"attributes_processed\":1,\"note\":\""
                  + BRAZE_KEY
                  + "\"}"));
      server.enqueue(
          json(202, "{\"title\":\"Accepted\",\"status\":202,\"detail\":\"key " + ODP_KEY + "\"}"));

      try (BrazeClient braze = braze(inspector);
          OdpClient odp = odp(inspector)) {
        braze.users().track(track());
        odp.events().send(List.of(segmentEntered()));
      }
    }

    // The wire carried the real keys: redaction touched only what the inspector keeps.
    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer " + BRAZE_KEY);
    assertThat(take().getHeaders().get("x-api-key")).isEqualTo(ODP_KEY);

    List<InspectedExchange> seen = recent.snapshot();
    assertThat(seen)
        .extracting(InspectedExchange::source)
        .containsExactly(Source.BRAZE, Source.ODP);
    InspectedExchange b = seen.get(0);
    assertThat(b.method()).isEqualTo("POST");
    assertThat(b.endpoint()).isEqualTo("/users/track");
    assertThat(b.url()).isEqualTo(server.url("/users/track").toString());
    assertThat(b.status()).isEqualTo(201);
    assertThat(b.attempt()).isEqualTo(1);
    assertThat(b.duration()).isPositive();
    // braze-client reports header names in lower case.
    assertThat(b.requestHeaders()).containsEntry("authorization", List.of("Bearer [REDACTED]"));
    assertThat(b.requestBody()).contains("\"external_id\":\"user-1\"", "\"first_name\":\"Ada\"");
    assertThat(b.responseBody()).contains("\"message\":\"success\"", "\"note\":\"[REDACTED]\"");
    InspectedExchange o = seen.get(1);
    assertThat(o.endpoint()).isEqualTo("events");
    assertThat(o.url()).isEqualTo(server.url("/v3/events").toString());
    assertThat(o.status()).isEqualTo(202);
    assertThat(o.failed()).isFalse();
    assertThat(o.requestHeaders()).containsEntry("x-api-key", List.of("[REDACTED]"));
    assertThat(o.requestBody()).contains("\"_braze_segment_id\":\"seg-1\"");
    assertThat(o.responseBody()).contains("\"detail\":\"key [REDACTED]\"");
    assertThat(seen.toString()).doesNotContain(BRAZE_KEY).doesNotContain(ODP_KEY);

    // The prefix filter kept only the payload carrying Braze data into ODP.
    assertThat(brazeData.snapshot())
        .extracting(InspectedExchange::endpoint)
        .containsExactly("events");

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(written.lines()).hasSize(2);
    assertThat(written)
        .doesNotContain(BRAZE_KEY)
        .doesNotContain(ODP_KEY)
        .contains("_braze_segment_id");
  }

  @Test
  void seesFailuresOfBothClients() {
    RingBufferInspector failures = EventInspector.ringBuffer(10);
    EventInspector inspector = EventInspector.filtered(failures, EventInspector.onlyFailures());
    server.enqueue(json(401, "{\"message\":\"Invalid API key: " + BRAZE_KEY + "\"}"));
    server.enqueue(json(400, "{\"title\":\"Bad Request\",\"status\":400,\"detail\":\"nope\"}"));

    try (BrazeClient braze = braze(inspector);
        OdpClient odp = odp(inspector)) {
      assertThatThrownBy(() -> braze.users().track(track())).isInstanceOf(BrazeAuthException.class);
      // ODP's 400 on a batch comes back as rejected rows, not as an exception.
      assertThat(odp.events().send(List.of(segmentEntered())).allAccepted()).isFalse();
    }

    assertThat(failures.snapshot())
        .extracting(InspectedExchange::source, InspectedExchange::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Source.BRAZE, 401),
            org.assertj.core.groups.Tuple.tuple(Source.ODP, 400));
    // Without withSecrets the echoed key is caught only if a rule matches; "Invalid API key: x"
    // is such a rule.
    assertThat(failures.snapshot().get(0).responseBody())
        .isEqualTo("{\"message\":\"Invalid API key: [REDACTED]\"}");
  }

  @Test
  void aBrokenInspectorNeverBreaksARequest() throws Exception {
    EventInspector broken =
        e -> {
          throw new IllegalStateException("inspector down");
        };
    JsonLinesInspector closed = EventInspector.jsonLines(dir.resolve("closed.jsonl"));
    closed.close();
    EventInspector both = EventInspector.tee(broken, closed);
    server.enqueue(json(201, "{\"message\":\"success\"}"));
    server.enqueue(json(202, "{\"title\":\"Accepted\",\"status\":202}"));

    try (BrazeClient braze = braze(both);
        OdpClient odp = odp(broken)) {
      assertThat(braze.users().track(track()).message()).isEqualTo("success");
      assertThat(odp.events().send(List.of(segmentEntered())).allAccepted()).isTrue();
    }
    assertThat(closed.failures()).isEqualTo(1);
  }
}
