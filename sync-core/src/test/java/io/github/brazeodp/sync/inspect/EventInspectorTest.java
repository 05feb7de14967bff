package io.github.brazeodp.sync.inspect;

import static io.github.brazeodp.sync.inspect.TestExchanges.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.sync.inspect.InspectedExchange.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventInspectorTest {
  private static InspectedExchange withStatus(int status) {
    return TestExchanges.exchange(Source.BRAZE, status, "{}");
  }

  @Test
  void failedMeansNoResponseOrAnErrorStatus() {
    assertThat(withStatus(-1).failed()).isTrue();
    assertThat(withStatus(400).failed()).isTrue();
    assertThat(withStatus(503).failed()).isTrue();
    assertThat(withStatus(200).failed()).isFalse();
    assertThat(withStatus(304).failed()).isFalse();
  }

  @Test
  void onlyFailuresKeepsErrorsAndMissingResponses() {
    RingBufferInspector ring = EventInspector.ringBuffer(10);
    EventInspector inspector = EventInspector.filtered(ring, EventInspector.onlyFailures());

    for (int status : new int[] {200, 201, 429, -1, 500}) {
      inspector.record(withStatus(status));
    }

    assertThat(ring.snapshot()).extracting(InspectedExchange::status).containsExactly(429, -1, 500);
  }

  @Test
  void onlySourceKeepsOneSide() {
    RingBufferInspector ring = EventInspector.ringBuffer(10);
    EventInspector inspector = EventInspector.filtered(ring, EventInspector.onlySource(Source.ODP));

    for (Source source : Source.values()) {
      inspector.record(TestExchanges.exchange(source, 200, "{}"));
    }

    assertThat(ring.snapshot()).extracting(InspectedExchange::source).containsExactly(Source.ODP);
  }

  @Test
  void brazePrefixFilterMatchesKeysAtAnyDepthButNotValues() {
    RingBufferInspector ring = EventInspector.ringBuffer(10);
    EventInspector inspector =
        EventInspector.filtered(ring, EventInspector.onlyFieldsStartingWith("_braze"));

    inspector.record(
        TestExchanges.exchange(
            Source.ODP, 202, "[{\"attributes\":{\"email\":\"a@x.test\",\"_braze_id\":\"b1\"}}]"));
    inspector.record(
        TestExchanges.exchange(
            Source.ODP, 202, "[{\"type\":\"braze\",\"data\":{\"_braze_segment\" : \"vip\"}}]"));
    inspector.record(
        TestExchanges.exchange(Source.ODP, 202, "[{\"note\":\"_braze_id is only a value\"}]"));
    inspector.record(TestExchanges.exchange(Source.ODP, 202, "[{\"braze_id\":\"b2\"}]"));
    inspector.record(TestExchanges.exchange(Source.ODP, 202, ""));

    assertThat(ring.snapshot())
        .extracting(InspectedExchange::requestBody)
        .containsExactly(
            "[{\"attributes\":{\"email\":\"a@x.test\",\"_braze_id\":\"b1\"}}]",
            "[{\"type\":\"braze\",\"data\":{\"_braze_segment\" : \"vip\"}}]");
  }

  @Test
  void prefixFilterHonoursACustomPrefixAndRejectsAnEmptyOne() {
    assertThat(
            EventInspector.onlyFieldsStartingWith("braze_")
                .test(TestExchanges.exchange(Source.ODP, 202, "{\"braze_id\":\"b\"}")))
        .isTrue();
    assertThatThrownBy(() -> EventInspector.onlyFieldsStartingWith(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void filtersCombineWithPredicateAnd() {
    RingBufferInspector ring = EventInspector.ringBuffer(10);
    EventInspector inspector =
        EventInspector.filtered(
            ring, EventInspector.onlySource(Source.BRAZE).and(EventInspector.onlyFailures()));

    inspector.record(TestExchanges.exchange(Source.BRAZE, 500, "{}"));
    inspector.record(TestExchanges.exchange(Source.BRAZE, 201, "{}"));
    inspector.record(TestExchanges.exchange(Source.ODP, 500, "{}"));

    assertThat(ring.snapshot()).hasSize(1);
  }

  @Test
  void filterPredicatesSeeRedactedExchanges() {
    List<InspectedExchange> seen = new ArrayList<>();
    EventInspector inspector =
        EventInspector.filtered(
            e -> {},
            e -> {
              seen.add(e);
              return false;
            });

    inspector.record(TestExchanges.exchange(Source.CURRENTS, 200, "{\"token\":\"abc\"}"));

    assertThat(seen)
        .extracting(InspectedExchange::requestBody)
        .containsExactly("{\"token\":\"[REDACTED]\"}");
  }

  @Test
  void teeGivesEachExchangeToBoth() {
    RingBufferInspector a = EventInspector.ringBuffer(5);
    RingBufferInspector b = EventInspector.ringBuffer(5);
    EventInspector both =
        EventInspector.tee(a, EventInspector.filtered(b, EventInspector.onlyFailures()));

    both.record(withStatus(200));
    both.record(withStatus(502));

    assertThat(a.snapshot()).extracting(InspectedExchange::status).containsExactly(200, 502);
    assertThat(b.snapshot()).extracting(InspectedExchange::status).containsExactly(502);
  }

  @Test
  void oneFailingBranchOfATeeDoesNotStarveTheOther() {
    RingBufferInspector survivor = EventInspector.ringBuffer(5);
    EventInspector broken =
        e -> {
          throw new IllegalStateException("boom");
        };

    assertThatCode(() -> EventInspector.tee(broken, survivor).record(withStatus(200)))
        .doesNotThrowAnyException();
    assertThat(survivor.size()).isEqualTo(1);
  }

  @Test
  void failingInspectorsAndPredicatesNeverThrowIntoTheClient() {
    EventInspector broken =
        e -> {
          throw new IllegalStateException("disk on fire");
        };
    BrazeExchange braze =
        TestExchanges.braze("https://rest.test/users/track", Map.of(), "{}", Map.of(), "{}", null);
    OdpExchange odp =
        TestExchanges.odp("https://odp.test/v3/events", Map.of(), "[]", Map.of(), "{}", null);

    assertThatCode(() -> broken.brazeListener().onExchange(braze)).doesNotThrowAnyException();
    assertThatCode(() -> broken.odpListener().onExchange(odp)).doesNotThrowAnyException();
    assertThatCode(() -> broken.withSecrets("abcdefgh").record(withStatus(200)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                EventInspector.filtered(
                        EventInspector.ringBuffer(1),
                        e -> {
                          throw new IllegalArgumentException("bad predicate");
                        })
                    .record(withStatus(200)))
        .doesNotThrowAnyException();
  }

  @Test
  void convertsBrazeExchangesFieldForField() {
    BrazeExchange braze =
        new BrazeExchange(
            T0,
            "GET",
            "https://rest.test/segments/list?page=0",
            "/segments/list",
            3,
            Map.of("Accept", List.of("application/json")),
            "",
            429,
            Map.of("Retry-After", List.of("2")),
            "{\"message\":\"slow down\"}",
            Duration.ofMillis(40),
            null);

    InspectedExchange e = Listeners.fromBraze(braze);

    assertThat(e)
        .isEqualTo(
            new InspectedExchange(
                T0,
                Source.BRAZE,
                "GET",
                "https://rest.test/segments/list?page=0",
                "/segments/list",
                3,
                429,
                Duration.ofMillis(40),
                Map.of("Accept", List.of("application/json")),
                "",
                Map.of("Retry-After", List.of("2")),
                "{\"message\":\"slow down\"}",
                null));
  }

  @Test
  void convertsOdpExchangesDatingThemFromTheirDuration() {
    OdpExchange odp =
        new OdpExchange(
            "POST",
            "https://odp.test/v3/profiles",
            "profiles",
            Map.of(),
            null,
            -1,
            Map.of(),
            null,
            Duration.ofSeconds(2),
            2,
            "java.net.SocketTimeoutException: timeout");

    InspectedExchange e = Listeners.fromOdp(odp, Instant.parse("2026-01-01T00:00:02Z"));

    assertThat(e.time()).isEqualTo(T0);
    assertThat(e.source()).isEqualTo(Source.ODP);
    assertThat(e.endpoint()).isEqualTo("profiles");
    assertThat(e.attempt()).isEqualTo(2);
    assertThat(e.status()).isEqualTo(-1);
    assertThat(e.requestBody()).isEmpty();
    assertThat(e.responseBody()).isEmpty();
    assertThat(e.error()).isEqualTo("java.net.SocketTimeoutException: timeout");
    assertThat(e.failed()).isTrue();
  }

  @Test
  void builderDefaultsTheEndpointToThePathAndRequiresATime() {
    InspectedExchange e =
        InspectedExchange.builder(Source.CURRENTS, "POST", "https://in.test/currents/batch?x=1")
            .time(T0)
            .build();

    assertThat(e.endpoint()).isEqualTo("/currents/batch");
    assertThat(e.attempt()).isEqualTo(1);
    assertThat(e.status()).isEqualTo(-1);
    assertThat(e.duration()).isZero();
    assertThatThrownBy(() -> InspectedExchange.builder(Source.ODP, "GET", "https://x.test").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("time");
  }

  @Test
  void recordValidatesAndCopiesHeaders() {
    List<String> values = new ArrayList<>(List.of("a"));
    Map<String, List<String>> headers = new java.util.HashMap<>(Map.of("X", values));
    InspectedExchange e =
        InspectedExchange.builder(Source.ODP, "GET", "https://x.test")
            .time(T0)
            .request(headers, null)
            .build();
    values.add("b");
    headers.put("Y", List.of("c"));

    assertThat(e.requestHeaders()).isEqualTo(Map.of("X", List.of("a")));
    assertThat(e.requestBody()).isEmpty();
    assertThatThrownBy(
            () -> InspectedExchange.builder(Source.ODP, "GET", "u").time(T0).attempt(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> InspectedExchange.builder(Source.ODP, "GET", "u").time(T0).status(-2).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
