package io.github.brazeodp.sync.inspect;

import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders of raw (unredacted) exchanges, and a clock tests move by hand. */
final class TestExchanges {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private TestExchanges() {}

  /** A Currents-style exchange built directly. */
  static InspectedExchange exchange(Source source, int status, String requestBody) {
    return InspectedExchange.builder(source, "POST", "https://example.test/v3/events")
        .time(T0)
        .status(status)
        .duration(Duration.ofMillis(5))
        .request(Map.of("Content-Type", List.of("application/json")), requestBody)
        .response(Map.of(), "{}")
        .build();
  }

  /** A Braze exchange as a careless client might report it: nothing redacted. */
  static BrazeExchange braze(
      String url,
      Map<String, List<String>> requestHeaders,
      String requestBody,
      Map<String, List<String>> responseHeaders,
      String responseBody,
      String error) {
    return new BrazeExchange(
        T0,
        "POST",
        url,
        "/users/track",
        1,
        requestHeaders,
        requestBody,
        error == null ? 201 : -1,
        responseHeaders,
        responseBody,
        Duration.ofMillis(12),
        error);
  }

  /** An ODP exchange as a careless client might report it: nothing redacted. */
  static OdpExchange odp(
      String url,
      Map<String, List<String>> requestHeaders,
      String requestBody,
      Map<String, List<String>> responseHeaders,
      String responseBody,
      String error) {
    return new OdpExchange(
        "POST",
        url,
        "events",
        requestHeaders,
        requestBody,
        error == null ? 202 : -1,
        responseHeaders,
        responseBody,
        Duration.ofMillis(12),
        1,
        error);
  }
}
