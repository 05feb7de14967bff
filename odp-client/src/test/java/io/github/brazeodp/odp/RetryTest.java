package io.github.brazeodp.odp;

import static io.github.brazeodp.odp.TestSupport.accepted;
import static io.github.brazeodp.odp.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class RetryTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final TestSupport t = new TestSupport(server);

  private static List<OdpEvent> oneEvent() {
    return List.of(
        OdpEvent.builder("product", "view")
            .identifier("email", "a@b.c")
            .idempotenceId("i")
            .build());
  }

  @Test
  void retries429HonouringRetryAfter() throws Exception {
    server.enqueue(
        new MockResponse.Builder().code(429).addHeader("Retry-After", "3").body("{}").build());
    server.enqueue(accepted());

    BatchResult result = t.client().events().send(oneEvent());

    assertThat(result.allAccepted()).isTrue();
    assertThat(t.sleeper.sleeps()).containsExactly(Duration.ofSeconds(3));
    assertThat(t.exchanges).extracting(OdpExchange::attempt).containsExactly(1, 2);
    assertThat(t.exchanges).extracting(OdpExchange::status).containsExactly(429, 202);
    // The same bytes go out again, so the idempotence id protects against duplicates.
    assertThat(t.take().getBody()).isEqualTo(t.take().getBody());
  }

  @Test
  void retries503WithJitteredBackoffThenSucceeds() {
    server.enqueue(json(503, "{\"message\":\"Service Unavailable\"}"));
    server.enqueue(json(503, "{\"message\":\"Service Unavailable\"}"));
    server.enqueue(accepted());

    t.client().events().send(oneEvent());

    List<Duration> sleeps = t.sleeper.sleeps();
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(500));
    assertThat(sleeps.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(1000));
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void retriesAnIoDisconnect() {
    server.enqueue(
        new MockResponse.Builder()
            .onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(accepted());

    BatchResult result = t.client().events().send(oneEvent());

    assertThat(result.allAccepted()).isTrue();
    assertThat(t.exchanges).extracting(OdpExchange::status).containsExactly(-1, 202);
    assertThat(t.exchanges.get(0).error()).isNotNull();
    assertThat(t.exchanges.get(1).error()).isNull();
    assertThat(t.sleeper.sleeps()).hasSize(1);
  }

  @Test
  void stopsWhenTheNextWaitWouldExceedTheTotalBudget() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(
          new MockResponse.Builder().code(503).addHeader("Retry-After", "50").body("busy").build());
    }

    assertThatThrownBy(() -> t.client().events().send(oneEvent()))
        .isInstanceOfSatisfying(
            OdpServerException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage()).contains("HTTP 503", "busy");
            });
    // 0 s, 50 s, 100 s; a third wait would end at 150 s, past the 2-minute budget.
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(t.sleeper.sleeps()).containsExactly(Duration.ofSeconds(50), Duration.ofSeconds(50));
  }

  @Test
  void stopsAfterMaxAttempts() {
    for (int i = 0; i < 5; i++) {
      server.enqueue(json(500, "{}"));
    }
    OdpClient client = t.builder().retry(RetrySettings.builder().maxAttempts(3).build()).build();

    assertThatThrownBy(() -> client.events().send(oneEvent()))
        .isInstanceOf(OdpServerException.class);
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void doesNotRetryA400() {
    server.enqueue(
        json(
            400,
            "{\"title\":\"Bad Request\",\"status\":400,\"detail\":{\"invalids\":"
                + "[{\"field\":\"name\",\"reason\":\"already used by another field\"}]}}"));

    assertThatThrownBy(
            () ->
                t.client()
                    .schema()
                    .createField(
                        "customers", SchemaField.of("loyalty", FieldType.STRING, "Loyalty")))
        .isInstanceOfSatisfying(
            OdpBadRequestException.class,
            e -> {
              assertThat(e.invalids())
                  .containsExactly(new OdpInvalid(null, "name", "already used by another field"));
              assertThat(e.title()).isEqualTo("Bad Request");
              assertThat(e.getMessage())
                  .contains("schema", "/v3/schema/objects/customers/fields", "400", "already used");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(t.sleeper.sleeps()).isEmpty();
  }

  @Test
  void nonIdempotentCreatesAreNotRetriedOn5xxButAreOn429() {
    server.enqueue(json(503, "{}"));
    assertThatThrownBy(() -> t.client().lists().create("Newsletter"))
        .isInstanceOf(OdpServerException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);

    server.enqueue(json(429, "{}"));
    server.enqueue(json(200, "{\"created\":{\"list_id\":\"newsletter\",\"name\":\"Newsletter\"}}"));
    assertThat(t.client().lists().create("Newsletter").listId()).isEqualTo("newsletter");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void rateLimitExceptionExposesRetryAfterWhenRetriesAreOff() {
    server.enqueue(
        new MockResponse.Builder().code(429).addHeader("Retry-After", "7").body("").build());
    OdpClient client = t.builder().retry(RetrySettings.none()).build();

    assertThatThrownBy(() -> client.lists().list())
        .isInstanceOfSatisfying(
            OdpRateLimitException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
  }

  @Test
  void backoffIsFullJitterUnderAnExponentialCeiling() {
    RetrySettings settings =
        RetrySettings.builder()
            .seed(7)
            .initialBackoff(Duration.ofMillis(500))
            .maxBackoff(Duration.ofSeconds(4))
            .maxAttempts(20)
            .totalBudget(Duration.ofHours(1))
            .build();
    RetryPolicy policy = new RetryPolicy(settings, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    OdpServerException failure =
        new OdpServerException("events", "boom", 503, Map.of(), null, null, "");
    long max = 0;
    for (int attempt = 1; attempt < 20; attempt++) {
      long ceiling = Math.min(4000, 500L << Math.min(attempt - 1, 20));
      for (int i = 0; i < 20; i++) {
        Duration wait = policy.nextWait(failure, attempt, true, Duration.ZERO).orElseThrow();
        assertThat(wait.toMillis()).isBetween(0L, ceiling);
        max = Math.max(max, wait.toMillis());
      }
    }
    // Jitter spreads waits across the range instead of pinning them at the ceiling.
    assertThat(max).isGreaterThan(2000);
  }

  @Test
  void retryAfterParsesHttpDates() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(
            io.github.brazeodp.odp.internal.RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", now))
        .contains(Duration.ofSeconds(30));
    assertThat(io.github.brazeodp.odp.internal.RetryAfter.parse("soon", now)).isEmpty();
  }
}
