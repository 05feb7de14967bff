package io.github.brazeodp.braze;

import static io.github.brazeodp.braze.TestSupport.fixture;
import static io.github.brazeodp.braze.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class MessagingAndClientTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
  private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper(clock);

  private BrazeClient client() {
    return TestSupport.client(server, clock, sleeper).build();
  }

  @Test
  void detailsReadTheStateOfACampaignAndACanvas() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .body(
                "{\"message\":\"success\",\"name\":\"Win-back\",\"archived\":false,"
                    + "\"draft\":false,\"enabled\":true,\"created_at\":\"2026-01-01T00:00:00Z\","
                    + "\"channels\":[\"email\"],\"messages\":{}}")
            .build());
    server.enqueue(
        new MockResponse.Builder()
            .body(
                "{\"message\":\"success\",\"name\":\"Onboarding\",\"archived\":true,"
                    + "\"draft\":false,\"enabled\":false,\"steps\":[]}")
            .build());
    server.enqueue(
        new MockResponse.Builder().code(400).body("{\"message\":\"Invalid campaign_id\"}").build());
    try (BrazeClient braze = client()) {
      MessageDetails campaign = braze.messaging().campaignDetails("campaign id/1");
      assertThat(campaign.name()).isEqualTo("Win-back");
      assertThat(campaign.active()).isTrue();
      assertThat(campaign.state()).isEqualTo("active");
      MessageDetails canvas = braze.messaging().canvasDetails("canvas-1");
      assertThat(canvas.active()).isFalse();
      assertThat(canvas.state()).isEqualTo("archived, not enabled");
      assertThatThrownBy(() -> braze.messaging().campaignDetails("nope"))
          .isInstanceOf(BrazeBadRequestException.class)
          .hasMessageContaining("Invalid campaign_id");
      assertThatThrownBy(() -> braze.messaging().canvasDetails(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("canvas_id");
    }
    RecordedRequest first = server.takeRequest();
    assertThat(first.getMethod()).isEqualTo("GET");
    assertThat(first.getTarget()).isEqualTo("/campaigns/details?campaign_id=campaign%20id%2F1");
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer test-key-123");
    assertThat(server.takeRequest().getTarget()).isEqualTo("/canvas/details?canvas_id=canvas-1");
  }

  @Test
  void campaignTriggerWritesRecipientsWithAttributesAndTriggerProperties() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .body("{\"dispatch_id\":\"dispatch-1\",\"message\":\"success\"}")
            .build());
    TriggerSend send =
        TriggerSend.to(
                "campaign_identifier",
                List.of(
                    Recipient.externalUserId("external_user_identifier")
                        .withAttributes(Map.of("first_name", "Alex"))
                        .withProperties(Map.of("coupon", "X1"))
                        .withSendToExistingOnly(true),
                    Recipient.email("a@example.com")))
            .withProperties(Map.of("campaign_wide", 1));
    try (BrazeClient braze = client()) {
      TriggerResponse response = braze.messaging().triggerCampaign(send);
      assertThat(response.dispatchId()).isEqualTo("dispatch-1");
      assertThat(response.warning()).isEmpty();
    }
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/campaigns/trigger/send");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer test-key-123");
    assertThat(json(request.getBody().utf8()))
        .isEqualTo(
            json(
                "{\"campaign_id\":\"campaign_identifier\",\"trigger_properties\":{\"campaign_wide\":1},"
                    + "\"broadcast\":false,\"recipients\":["
                    + "{\"external_user_id\":\"external_user_identifier\","
                    + "\"trigger_properties\":{\"coupon\":\"X1\"},\"send_to_existing_only\":true,"
                    + "\"attributes\":{\"first_name\":\"Alex\"}},"
                    + "{\"email\":\"a@example.com\",\"prioritization\":[\"identified\","
                    + "\"most_recently_updated\"]}]}"));
  }

  @Test
  void canvasTriggerUsesContextAndSurfacesAPausedCanvas() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .body(fixture("braze/canvas_trigger_send_response_1.json"))
            .build());
    TriggerSend send =
        TriggerSend.to(
                "canvas_identifier",
                List.of(
                    Recipient.externalUserId("user_identifier").withProperties(Map.of("k", "v"))))
            .withProperties(Map.of("product_name", "shoes"));
    try (BrazeClient braze = client()) {
      TriggerResponse response = braze.messaging().triggerCanvas(send);
      assertThat(response.nothingSent()).isTrue();
      assertThat(response.warning()).get().asString().contains("paused");
    }
    Object body = json(server.takeRequest().getBody().utf8());
    assertThat(body)
        .isEqualTo(
            json(
                "{\"canvas_id\":\"canvas_identifier\",\"context\":{\"product_name\":\"shoes\"},"
                    + "\"broadcast\":false,\"recipients\":[{\"external_user_id\":\"user_identifier\","
                    + "\"context\":{\"k\":\"v\"}}]}"));
  }

  @Test
  void triggerArgumentsAreValidatedBeforeSending() {
    List<Recipient> many = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      many.add(Recipient.externalUserId("u" + i));
    }
    assertThatThrownBy(() -> TriggerSend.to("c", many))
        .hasMessageContaining("recipients has 51 entries, over Braze's limit of 50");
    assertThatThrownBy(() -> TriggerSend.to(" ", List.of(Recipient.externalUserId("u"))))
        .hasMessageContaining("id must not be blank");
    assertThatThrownBy(() -> TriggerSend.to("c", List.of()))
        .hasMessageContaining("recipients is empty");
    assertThatThrownBy(
            () -> new TriggerSend("c", null, null, true, null, List.of(Recipient.email("a@b.c"))))
        .hasMessageContaining("broadcast=true");
    assertThatThrownBy(() -> Recipient.externalUserId("u").withSendToExistingOnly(false))
        .hasMessageContaining("needs attributes");
    assertThatThrownBy(() -> new Recipient(null, null, null, null, null, null, null, null))
        .hasMessageContaining("exactly one of");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void segmentsListPagesUntilAShortPage() throws Exception {
    server.enqueue(new MockResponse.Builder().body(segmentPage(0, 100)).build());
    server.enqueue(new MockResponse.Builder().body(segmentPage(100, 100)).build());
    server.enqueue(new MockResponse.Builder().body(segmentPage(200, 37)).build());
    try (BrazeClient braze = client()) {
      List<Segment> all = braze.segments().list().stream().toList();
      assertThat(all).hasSize(237);
      assertThat(all.get(236).id()).isEqualTo("seg-236");
    }
    assertThat(server.takeRequest().getTarget())
        .isEqualTo("/segments/list?page=0&sort_direction=asc");
    assertThat(server.takeRequest().getTarget())
        .isEqualTo("/segments/list?page=1&sort_direction=asc");
    assertThat(server.takeRequest().getTarget())
        .isEqualTo("/segments/list?page=2&sort_direction=asc");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void segmentsListStopsOnAnEmptyPageAfterAFullOne() {
    server.enqueue(new MockResponse.Builder().body(segmentPage(0, 100)).build());
    server.enqueue(new MockResponse.Builder().body(segmentPage(100, 0)).build());
    try (BrazeClient braze = client()) {
      assertThat(braze.segments().list()).hasSize(100);
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  private static String segmentPage(int from, int count) {
    StringBuilder sb = new StringBuilder("{\"message\":\"success\",\"segments\":[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"id\":\"seg-")
          .append(from + i)
          .append("\",\"name\":\"Segment ")
          .append(from + i)
          .append("\",\"analytics_tracking_enabled\":true,\"tags\":[\"t\"]}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void segmentDetailsAreRead() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .body(
                "{\"message\":\"success\",\"name\":\"Gold\",\"description\":\"tier = gold\","
                    + "\"text_description\":\"Gold members\",\"created_at\":\"2026-01-01T00:00:00Z\","
                    + "\"updated_at\":\"2026-02-01T00:00:00Z\",\"tags\":[\"vip\"],\"teams\":[]}")
            .build());
    try (BrazeClient braze = client()) {
      SegmentDetails details = braze.segments().details("seg-1");
      assertThat(details.name()).isEqualTo("Gold");
      assertThat(details.textDescription()).isEqualTo("Gold members");
      assertThat(details.tags()).containsExactly("vip");
    }
    assertThat(server.takeRequest().getTarget()).isEqualTo("/segments/details?segment_id=seg-1");
  }

  @Test
  void verifyKeyGivesAVerdictPerPermission() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            return switch (path) {
              case "/segments/list" ->
                  new MockResponse.Builder()
                      .body("{\"message\":\"success\",\"segments\":[]}")
                      .build();
              case "/canvas/trigger/send" ->
                  new MockResponse.Builder()
                      .code(403)
                      .body("{\"message\":\"Access Denied\"}")
                      .build();
              default ->
                  new MockResponse.Builder()
                      .code(400)
                      .body("{\"message\":\"Bad Request\"}")
                      .build();
            };
          }
        });
    try (BrazeClient braze = client()) {
      KeyVerification v = braze.verifyKey();
      assertThat(v.verdicts())
          .containsEntry("users.track", KeyVerification.Verdict.GRANTED)
          .containsEntry("users.export.segment", KeyVerification.Verdict.GRANTED)
          .containsEntry("segments.list", KeyVerification.Verdict.GRANTED)
          .containsEntry("campaigns.trigger.send", KeyVerification.Verdict.GRANTED)
          .containsEntry("canvas.trigger.send", KeyVerification.Verdict.DENIED);
      assertThat(v.allGranted()).isFalse();
      assertThat(v.summary()).contains("canvas.trigger.send=DENIED");
    }
    assertThat(server.getRequestCount()).isEqualTo(5);
  }

  @Test
  void verifyKeyReportsAWrongInstanceWhenEveryProbeIs401() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse.Builder()
                .code(401)
                .body("{\"message\":\"Invalid API key\"}")
                .build();
          }
        });
    try (BrazeClient braze = client()) {
      KeyVerification v = braze.verifyKey();
      assertThat(v.wrongInstanceOrInvalidKey()).isTrue();
      assertThat(v.summary()).contains("another Braze instance");
      assertThat(v.baseUrl()).isEqualTo(server.url("/").toString());
    }
  }

  @Test
  void listenerSeesEveryAttemptWithTheKeyRedacted() {
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(
        new MockResponse.Builder().body("{\"message\":\"success\",\"segments\":[]}").build());
    List<BrazeExchange> seen = new ArrayList<>();
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper).eventListener(seen::add).build()) {
      braze.segments().page(0, true);
    }
    assertThat(seen).extracting(BrazeExchange::status).containsExactly(503, 200);
    assertThat(seen).extracting(BrazeExchange::attempt).containsExactly(1, 2);
    assertThat(seen.get(1).endpoint()).isEqualTo("/segments/list");
    assertThat(seen.get(1).requestHeaders().get("authorization"))
        .containsExactly("Bearer [REDACTED]");
    assertThat(seen.get(1).responseBody()).contains("success");
    assertThat(seen.toString()).doesNotContain("test-key-123");
  }

  @Test
  void aThrowingListenerNeverBreaksARequest() {
    server.enqueue(
        new MockResponse.Builder().body("{\"message\":\"success\",\"segments\":[]}").build());
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper)
            .eventListener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .build()) {
      assertThat(braze.segments().page(0, true).items()).isEmpty();
    }
  }

  @Test
  void builderRejectsUnsafeOrMissingSettingsAndHidesTheKey() {
    assertThatThrownBy(() -> BrazeClient.builder().baseUrl("ftp://rest.example.com"))
        .hasMessageContaining("baseUrl is not an http(s) URL");
    assertThatThrownBy(() -> BrazeClient.builder().baseUrl("http://rest.example.com"))
        .hasMessageContaining("plain http to a non-loopback host");
    assertThatThrownBy(() -> BrazeClient.builder().apiKey("\"quoted\""))
        .hasMessageContaining("quote");
    assertThatThrownBy(() -> BrazeClient.builder().build()).hasMessageContaining("apiKey");
    BrazeClient.builder().baseUrl("http://127.0.0.1:8080");
    BrazeClient.builder().baseUrl("http://localhost:8080");
    try (BrazeClient braze =
        BrazeClient.builder().apiKey("secret-key").instance(BrazeInstance.EU_01).build()) {
      assertThat(braze.baseUrl()).isEqualTo("https://rest.fra-01.braze.eu/");
      assertThat(braze.toString()).doesNotContain("secret-key");
      assertThat(braze.newBuilder().toString()).doesNotContain("secret-key");
      try (BrazeClient derived = braze.newBuilder().instance(BrazeInstance.US_10).build()) {
        assertThat(derived.baseUrl()).isEqualTo("https://rest.us-10.braze.com/");
      }
    }
  }

  @Test
  void everyInstanceHasAnHttpsRestUrl() {
    assertThat(BrazeInstance.values()).hasSize(15);
    for (BrazeInstance instance : BrazeInstance.values()) {
      assertThat(instance.restUrl()).startsWith("https://rest.");
    }
    assertThat(BrazeInstance.KR_01.displayName()).isEqualTo("KR-01");
  }
}
