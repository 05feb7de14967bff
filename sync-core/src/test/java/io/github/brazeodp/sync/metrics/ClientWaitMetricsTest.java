package io.github.brazeodp.sync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.BrazeWait;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.odp.OdpApi;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.OdpWait;
import io.github.brazeodp.sync.fake.ManualClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The clients' pacing, rate-limit and backoff waits reach the listener and {@link SyncMetrics},
 * with exactly what the injected sleeper was asked to wait.
 */
class ClientWaitMetricsTest {
  private static final String SEGMENTS = "{\"message\":\"success\",\"segments\":[]}";

  @StartStop final MockWebServer server = new MockWebServer();

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T03:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SyncMetrics metrics = SyncMetrics.micrometer(registry, clock);

  @Test
  void brazeWaitsAreReportedWithTheirReasonAndRecordedAsTheSleeperSleptThem() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "3")
            .body("{\"message\":\"slow down\"}")
            .build());
    server.enqueue(new MockResponse.Builder().body(SEGMENTS).build());
    server.enqueue(new MockResponse.Builder().code(503).body("{\"message\":\"busy\"}").build());
    server.enqueue(new MockResponse.Builder().body(SEGMENTS).build());
    List<BrazeWait> seen = new ArrayList<>();
    try (BrazeClient braze =
        BrazeClient.builder()
            .apiKey("test-key-123")
            .baseUrl(server.url("/").toString())
            .clock(clock)
            .sleeper(clock)
            .rateLimits(
                RateLimits.builder()
                    .limit(EndpointFamily.DEFAULT, 1, Duration.ofSeconds(1))
                    .build())
            .eventListener(
                ClientListeners.braze(
                    metrics.brazeListener(),
                    new io.github.brazeodp.braze.BrazeEventListener() {
                      @Override
                      public void onExchange(io.github.brazeodp.braze.BrazeExchange e) {}

                      @Override
                      public void onWait(BrazeWait w) {
                        seen.add(w);
                      }
                    }))
            .build()) {
      braze.segments().page(0, true); // 429, then after Retry-After a 200
      braze.segments().page(0, true); // the one-per-second budget is spent: paced; 503; backoff
    }

    assertThat(seen).extracting(BrazeWait::endpoint).containsOnly("/segments/list");
    assertThat(seen).extracting(BrazeWait::family).containsOnly(EndpointFamily.DEFAULT);
    assertThat(seen.get(0).reason()).isEqualTo(BrazeWait.Reason.RATE_LIMITED);
    assertThat(seen.get(0).duration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(seen.get(1).reason()).isEqualTo(BrazeWait.Reason.PACING);
    assertThat(seen.get(1).duration()).isEqualTo(Duration.ofSeconds(1));
    assertThat(seen).extracting(BrazeWait::reason).contains(BrazeWait.Reason.BACKOFF);
    // Every wait the sleeper was asked for was reported, and none twice.
    assertThat(seen).extracting(BrazeWait::duration).isEqualTo(nonZero(clock.sleeps()));

    assertThat(waits("braze", "default", "rate_limited").count()).isEqualTo(1);
    assertThat(waits("braze", "default", "rate_limited").totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(3_000);
    assertThat(waits("braze", "default", "pacing").count())
        .isEqualTo(seen.stream().filter(w -> w.reason() == BrazeWait.Reason.PACING).count());
    assertThat(totalWaitedNanos()).isEqualTo(clock.slept().toNanos());
  }

  @Test
  void odpWaitsAreReportedWithTheirReasonAndRecordedAsTheSleeperSleptThem() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "2")
            .body("{\"title\":\"Too Many Requests\",\"status\":429}")
            .build());
    server.enqueue(accepted());
    server.enqueue(accepted());
    List<OdpWait> seen = new ArrayList<>();
    try (OdpClient odp =
        OdpClient.builder()
            .apiKey("odp-key-123")
            .baseUrl(server.url("/v3/").toString())
            .clock(clock)
            .sleeper(clock)
            .rateLimits(io.github.brazeodp.odp.RateLimits.unlimited().with(OdpApi.EVENTS, 1))
            .eventListener(
                ClientListeners.odp(
                    metrics.odpListener(),
                    new io.github.brazeodp.odp.OdpEventListener() {
                      @Override
                      public void onExchange(io.github.brazeodp.odp.OdpExchange e) {}

                      @Override
                      public void onWait(OdpWait w) {
                        seen.add(w);
                      }
                    }))
            .build()) {
      odp.events().send(List.of(event())); // 429 with Retry-After: 2, then accepted
      odp.events().send(List.of(event())); // the next slot is one interval after the last
    }

    assertThat(seen).extracting(OdpWait::endpoint).containsOnly("events");
    assertThat(seen.get(0).reason()).isEqualTo(OdpWait.Reason.RATE_LIMITED);
    assertThat(seen.get(0).duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(seen).extracting(OdpWait::reason).contains(OdpWait.Reason.PACING);
    assertThat(seen).extracting(OdpWait::duration).isEqualTo(nonZero(clock.sleeps()));
    assertThat(waits("odp", "events", "rate_limited").totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(2_000);
    assertThat(waits("odp", "events", "pacing").count())
        .isEqualTo(seen.stream().filter(w -> w.reason() == OdpWait.Reason.PACING).count());
    assertThat(totalWaitedNanos()).isEqualTo(clock.slept().toNanos());
  }

  private static List<Duration> nonZero(List<Duration> sleeps) {
    return sleeps.stream().filter(d -> !d.isZero()).toList();
  }

  private Timer waits(String api, String family, String reason) {
    return registry
        .get(SyncMetrics.HTTP_WAITS)
        .tags("api", api, "family", family, "reason", reason)
        .timer();
  }

  private long totalWaitedNanos() {
    return Math.round(
        registry.get(SyncMetrics.HTTP_WAITS).timers().stream()
            .mapToDouble(t -> t.totalTime(TimeUnit.NANOSECONDS))
            .sum());
  }

  private static OdpEvent event() {
    return OdpEvent.builder("order", "purchase")
        .identifier("email", "a@example.com")
        .idempotenceId("id-1")
        .build();
  }

  private static MockResponse accepted() {
    return new MockResponse.Builder()
        .code(202)
        .addHeader("Content-Type", "application/json")
        .body("{\"title\":\"Accepted\",\"status\":202,\"timestamp\":\"2026-01-01T00:00:00Z\"}")
        .build();
  }
}
