package io.github.brazeodp.odp;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A client wired to a MockWebServer with a fake clock, a recording sleeper and a listener. */
final class TestSupport {
  static final String KEY = "secret-key-123.abc";

  final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  final RecordingSleeper sleeper = new RecordingSleeper(clock);
  final List<OdpExchange> exchanges = new CopyOnWriteArrayList<>();
  final MockWebServer server;

  TestSupport(MockWebServer server) {
    this.server = server;
  }

  OdpClient.Builder builder() {
    return OdpClient.builder()
        .apiKey(KEY)
        .baseUrl(server.url("/v3/").toString())
        .clock(clock)
        .sleeper(sleeper)
        .retry(RetrySettings.builder().seed(42).build())
        .eventListener(exchanges::add);
  }

  OdpClient client() {
    return builder().build();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  static MockResponse accepted() {
    return json(
        202, "{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}");
  }

  RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("expected a request");
    }
    return r;
  }
}
