package io.github.brazeodp.sync.fake.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-ins' own validation, answered without any HTTP server. */
class WireStandInTest {
  private static final Instant T0 = Instant.parse("2026-11-29T02:00:10Z");
  private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  private final List<Duration> sleeps = new ArrayList<>();
  private final InMemoryBraze braze =
      new InMemoryBraze(clock, sleeps::add, TrackLimit.COMBINED_50)
          .putUser(
              new com.squareup.moshi.Moshi.Builder()
                  .build()
                  .adapter(ExportedUser.class)
                  .fromJsonValue(Map.of("braze_id", "b1", "external_id", "e1")))
          .putSegment("s1", "One", List.of("b1"));
  private final BrazeWire brazeWire =
      BrazeWire.builder(braze)
          .apiKey("k")
          .clock(clock)
          .sleeper(sleeps::add)
          .rateLimits(
              RateLimits.builder().limit(EndpointFamily.DEFAULT, 2, Duration.ofMinutes(1)).build())
          .build();
  private final OdpWire odpWire =
      OdpWire.builder(new InMemoryOdp()).apiKey("o").clock(clock).build();

  private static WireRequest braze(String method, String path, String body) {
    WireRequest r =
        new WireRequest(method, path, Map.of(), Map.of("Authorization", List.of("Bearer k")), null);
    return body == null ? r : r.withBody(body);
  }

  private static WireRequest odp(String method, String path, String body) {
    WireRequest r =
        new WireRequest(method, path, Map.of(), Map.of("X-Api-Key", List.of("o")), null);
    return body == null ? r : r.withBody(body);
  }

  @Test
  void brazeRefusesAWrongKeyWith401() {
    WireResponse r =
        brazeWire.handle(
            new WireRequest(
                "GET",
                "/segments/list",
                Map.of(),
                Map.of("authorization", List.of("Bearer nope")),
                null));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.bodyText()).contains("Invalid API key");
  }

  @Test
  void brazeSendsRateLimitHeadersAnd429OverTheBudget() {
    WireResponse first = brazeWire.handle(braze("GET", "/segments/list", null));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("x-ratelimit-limit")).isEqualTo("2");
    assertThat(first.header("X-RateLimit-Remaining")).isEqualTo("1");
    // Fixed one-minute windows: 02:00:00 to 02:01:00.
    assertThat(first.header("X-RateLimit-Reset"))
        .isEqualTo(String.valueOf(Instant.parse("2026-11-29T02:01:00Z").getEpochSecond()));
    brazeWire.handle(braze("GET", "/segments/list", null));
    WireResponse third = brazeWire.handle(braze("GET", "/segments/list", null));
    assertThat(third.status()).isEqualTo(429);
    assertThat(third.header("X-RateLimit-Remaining")).isEqualTo("0");
  }

  @Test
  void brazeTrackNamesRowsWithoutIdentifierByIndexAndRefusesAllBadRequests() {
    WireResponse partial =
        brazeWire.handle(
            braze(
                "POST",
                "/users/track",
                "{\"attributes\":[{\"external_id\":\"e1\",\"first_name\":\"A\"},"
                    + "{\"first_name\":\"nobody\"}],"
                    + "\"events\":[{\"external_id\":\"e1\",\"name\":\"x\",\"time\":\"soon\"}]}"));
    assertThat(partial.status()).isEqualTo(201);
    assertThat(partial.bodyText())
        .contains("\"attributes_processed\":1")
        .contains("\"events_processed\":0")
        .contains("{\"type\":\"'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is")
        .contains("\"input_array\":\"attributes\",\"index\":1")
        .contains("\"type\":\"'time' is not valid\",\"input_array\":\"events\",\"index\":0");
    WireResponse fatal =
        brazeWire.handle(
            braze("POST", "/users/track", "{\"attributes\":[{\"first_name\":\"x\"}]}"));
    assertThat(fatal.status()).isEqualTo(400);
    assertThat(fatal.bodyText()).contains("Valid data must be provided");
    assertThat(brazeWire.handle(braze("POST", "/users/track", "{}")).status()).isEqualTo(400);
  }

  @Test
  void brazeExportDownloadsAre404Then403UntilReady() {
    braze.exportReadyAfter(Duration.ofMinutes(5));
    assertThat(brazeWire.handle(braze("GET", "/exports/nope.zip", null)).status()).isEqualTo(404);
    WireResponse started =
        brazeWire.handle(
            braze(
                    "POST",
                    "/users/export/segment",
                    "{\"segment_id\":\"s1\",\"fields_to_export\":[\"braze_id\"]}")
                .withHeader("Host", "127.0.0.1:9999"));
    assertThat(started.status()).isEqualTo(201);
    assertThat(started.bodyText()).contains("\"url\":\"http://127.0.0.1:9999/exports/s1-");
    String prefix = braze.exportsStarted().get(0).objectPrefix();
    WireResponse early =
        brazeWire.handle(WireRequest.of("GET", "/exports/" + prefix + ".zip", Map.of()));
    assertThat(early.status()).isEqualTo(403);
    assertThat(early.bodyText()).contains("AccessDenied");
  }

  @Test
  void httpFaultsFailOrDropTheNextMatchingRequests() {
    brazeWire.failNext("/segments/", 1, 503).dropNext(null, 1).latency(Duration.ofMillis(250));
    assertThat(brazeWire.handle(braze("GET", "/segments/list", null)).status()).isEqualTo(503);
    assertThat(brazeWire.handle(braze("GET", "/segments/list", null)).dropConnection()).isTrue();
    assertThat(brazeWire.handle(braze("GET", "/segments/list", null)).status()).isEqualTo(200);
    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(250));
  }

  @Test
  void odpAnswers202OrTheDocumentedInvalidsShape() {
    assertThat(
            odpWire
                .handle(new WireRequest("POST", "/v3/events", Map.of(), Map.of(), "[]".getBytes()))
                .status())
        .isEqualTo(401);
    WireResponse ok =
        odpWire.handle(
            odp(
                "POST",
                "/v3/events",
                "[{\"type\":\"t\",\"action\":\"a\",\"identifiers\":{\"email\":\"a@x\"},"
                    + "\"data\":{\"idempotence_id\":\"i1\",\"ts\":1764381610}}]"));
    assertThat(ok.status()).isEqualTo(202);
    assertThat(ok.bodyText()).contains("\"title\":\"Accepted\"").contains("\"status\":202");
    WireResponse bad =
        odpWire.handle(
            odp(
                "POST",
                "/v3/events",
                "[{\"type\":\"t\",\"identifiers\":{\"email\":\"a@x\"}},{\"identifiers\":{}}]"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.bodyText())
        .contains("\"detail\":{\"invalids\":[{\"event\":1,\"field\":\"type\",\"message\":");
    WireResponse schema =
        odpWire.handle(
            odp(
                "POST",
                "/v3/schema/objects/customers/fields",
                "{\"name\":\"Bad Name\",\"type\":\"text\"}"));
    assertThat(schema.status()).isEqualTo(400);
    assertThat(schema.bodyText()).contains("{\"field\":\"name\",\"reason\":");
  }
}
