package io.github.brazeodp.braze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class RetryAndPacingTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(TestSupport.START);
  private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper(clock);

  private static final String SEGMENTS =
      "{\"message\":\"success\",\"segments\":[{\"id\":\"s1\",\"name\":\"One\"}]}";

  private static MockResponse ok(String body) {
    return new MockResponse.Builder().code(200).body(body).build();
  }

  private static TriggerSend send() {
    return TriggerSend.to("campaign-1", List.of(Recipient.externalUserId("u1")));
  }

  @Test
  void rateLimitedRequestWaitsUntilTheResetHeader() {
    long reset = TestSupport.START.getEpochSecond() + 7;
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("X-RateLimit-Limit", "250000")
            .addHeader("X-RateLimit-Remaining", "0")
            .addHeader("X-RateLimit-Reset", String.valueOf(reset))
            .body("{\"message\":\"Over rate limit\"}")
            .build());
    server.enqueue(ok(SEGMENTS));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThat(braze.segments().page(0, true).items()).hasSize(1);
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
    // The pacer learned that nothing is left until the reset; the retry waits exactly that long.
    assertThat(sleeper.waits).contains(Duration.ofSeconds(7));
    assertThat(clock.instant()).isAfterOrEqualTo(TestSupport.START.plusSeconds(7));
  }

  @Test
  void retryAfterHeaderWinsOverBackoff() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3").build());
    server.enqueue(ok(SEGMENTS));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      braze.segments().page(0, true);
    }
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void serverErrorsAreRetriedWithCappedJitteredBackoff() {
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(new MockResponse.Builder().code(502).build());
    server.enqueue(ok(SEGMENTS));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      braze.segments().page(0, true);
    }
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(sleeper.waits).hasSize(2);
    assertThat(sleeper.waits.get(0)).isLessThanOrEqualTo(Duration.ofMillis(500));
    assertThat(sleeper.waits.get(1)).isLessThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastError() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(500).body("{\"message\":\"boom\"}").build());
    }
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper)
            .retry(RetrySettings.builder().maxAttempts(3).build())
            .build()) {
      assertThatThrownBy(() -> braze.segments().page(0, true))
          .isInstanceOf(BrazeServerException.class)
          .hasMessageContaining("/segments/list answered 500: boom");
    }
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void totalBudgetStopsRetriesThatWouldOverrunIt() {
    long reset = TestSupport.START.getEpochSecond() + 90;
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("X-RateLimit-Reset", String.valueOf(reset))
            .build());
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper)
            .retry(RetrySettings.builder().totalBudget(Duration.ofSeconds(60)).build())
            .build()) {
      assertThatThrownBy(() -> braze.segments().page(0, true))
          .isInstanceOfSatisfying(
              BrazeRateLimitException.class,
              e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(90)));
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void disconnectMidResponseIsRetriedForReads() {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(SEGMENTS.repeat(1))
            .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(ok(SEGMENTS));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThat(braze.segments().page(0, true).items())
          .extracting(Segment::id)
          .containsExactly("s1");
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void triggerSendIsNotRetriedOnceTheRequestMayHaveReachedBraze() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(ok("{\"dispatch_id\":\"d\",\"message\":\"success\"}"));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThatThrownBy(() -> braze.messaging().triggerCampaign(send()))
          .isInstanceOfSatisfying(
              BrazeIoException.class, e -> assertThat(e.requestSent()).isTrue());
    }
    assertThat(server.takeRequest(1, TimeUnit.SECONDS)).isNotNull();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void triggerSendIsNotRetriedOnServerError() {
    server.enqueue(new MockResponse.Builder().code(500).build());
    server.enqueue(ok("{\"dispatch_id\":\"d\",\"message\":\"success\"}"));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThatThrownBy(() -> braze.messaging().triggerCampaign(send()))
          .isInstanceOf(BrazeServerException.class);
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void triggerSendIsRetriedOn429BecauseNothingWasSent() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "1").build());
    server.enqueue(ok("{\"dispatch_id\":\"d1\",\"message\":\"success\"}"));
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThat(braze.messaging().triggerCampaign(send()).dispatchId()).isEqualTo("d1");
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void triggerSendIsRetriedWhenTheConnectionNeverOpened() throws Exception {
    // A closed port refuses the connection: the request never left, so a retry is safe.
    MockWebServer closed = new MockWebServer();
    closed.start();
    String url = closed.url("/").toString();
    closed.close();
    try (BrazeClient braze =
        BrazeClient.builder()
            .apiKey("k")
            .baseUrl(url)
            .clock(clock)
            .sleeper(sleeper)
            .retry(RetrySettings.builder().maxAttempts(3).build())
            .build()) {
      assertThatThrownBy(() -> braze.messaging().triggerCampaign(send()))
          .isInstanceOfSatisfying(
              BrazeIoException.class, e -> assertThat(e.requestSent()).isFalse());
    }
    assertThat(sleeper.waits).hasSize(2);
  }

  @Test
  void trackWithEventsIsNotRepeatedAfterADroppedResponse() {
    server.enqueue(
        new MockResponse.Builder()
            .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    TrackRequest withEvent =
        TrackRequest.builder()
            .event(TrackEvent.of(UserIdentifier.externalId("u"), "e", TestSupport.START))
            .build();
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThatThrownBy(() -> braze.users().track(withEvent)).isInstanceOf(BrazeIoException.class);
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void attributeOnlyTrackIsRepeatedAfterADroppedResponse() {
    server.enqueue(
        new MockResponse.Builder()
            .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(ok("{\"message\":\"success\"}"));
    TrackRequest attributes =
        TrackRequest.builder()
            .attributes(UserAttributes.builder(UserIdentifier.externalId("u")).build())
            .build();
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThat(braze.users().track(attributes).message()).isEqualTo("success");
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void clientSidePacingSpacesRequestsUnderTheBudget() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(ok(SEGMENTS));
    }
    try (BrazeClient braze =
        TestSupport.client(server, clock, sleeper)
            .rateLimits(
                RateLimits.builder()
                    .limit(EndpointFamily.DEFAULT, 2, Duration.ofSeconds(1))
                    .build())
            .build()) {
      for (int i = 0; i < 5; i++) {
        braze.segments().page(0, true);
      }
    }
    // Two requests fit the bucket; the next three each wait half a second for a token.
    assertThat(sleeper.waits)
        .containsExactly(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));
  }

  @Test
  void badRequestIsNotRetriedAndCarriesBrazeMessageAndErrors() {
    server.enqueue(
        new MockResponse.Builder()
            .code(400)
            .body("{\"message\":\"Invalid Campaign ID\",\"errors\":[\"bad id\"]}")
            .build());
    try (BrazeClient braze = TestSupport.client(server, clock, sleeper).build()) {
      assertThatThrownBy(() -> braze.messaging().triggerCampaign(send()))
          .isInstanceOfSatisfying(
              BrazeBadRequestException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.endpoint()).isEqualTo("/campaigns/trigger/send");
                assertThat(e.brazeMessage()).isEqualTo("Invalid Campaign ID");
                assertThat(e.errors()).extracting(BrazeError::message).containsExactly("bad id");
                assertThat(e.getMessage()).doesNotContain("test-key-123");
              });
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
