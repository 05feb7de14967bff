package io.github.brazeodp.sync.port;

import static org.assertj.core.api.Assertions.assertThat;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.RateLimits;
import io.github.brazeodp.braze.RetrySettings;
import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.fake.wire.BrazeWire;
import io.github.brazeodp.sync.fake.wire.OdpWire;
import io.github.brazeodp.sync.metrics.SyncMetrics;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import io.github.brazeodp.sync.state.SyncStateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The metrics binding wired into real clients during a segment sync against the wire stand-ins: the
 * meters must agree with what the stand-ins themselves received.
 */
class MetricsOverWireTest {
  private static final Instant T0 = Instant.parse("2026-11-29T02:00:00Z");
  private static final JsonAdapter<ExportedUser> USER =
      new Moshi.Builder().build().adapter(ExportedUser.class);

  @StartStop final MockWebServer brazeServer = new MockWebServer();
  @StartStop final MockWebServer odpServer = new MockWebServer();
  private final TestTime time = new TestTime(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SyncMetrics metrics = SyncMetrics.micrometer(registry, time.clock);

  private static ExportedUser user(int i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("braze_id", "b" + i);
    m.put("external_id", "ext-" + i);
    m.put("email", "user" + i + "@example.com");
    m.put("first_name", "User" + i);
    return USER.fromJsonValue(m);
  }

  private double requests(String api) {
    return registry.find(SyncMetrics.HTTP_REQUESTS).tag("api", api).timers().stream()
        .mapToLong(Timer::count)
        .sum();
  }

  private double counter(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void httpCountersEqualTheStandInsRequestCountsAndRowsEqualTheReport() throws Exception {
    InMemoryBraze braze =
        new InMemoryBraze(time.clock, time.brazeSleeper(), TrackLimit.COMBINED_50);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      braze.putUser(user(i));
      ids.add("b" + i);
    }
    braze.putSegment("seg-1", "Gold", ids);
    InMemoryOdp odp = new InMemoryOdp();
    BrazeWire brazeWire =
        BrazeWire.builder(braze)
            .apiKey("braze-key")
            .clock(time.clock)
            .sleeper(time.brazeSleeper())
            .build();
    OdpWire odpWire =
        OdpWire.builder(odp).apiKey("odp-key").clock(time.clock).sleeper(time.odpSleeper()).build();
    // A 503 from Braze and one from ODP, each retried once by the client; a 429 on the export
    // download, which the export poller waits out as another poll rather than a retry.
    brazeWire.failNext("/segments/list", 1, 503);
    brazeWire.failNext(BrazeWire.EXPORTS_PATH, 1, 429);
    odpWire.failNext("/v3/profiles", 1, 503);
    brazeServer.setDispatcher(new WireDispatcher(brazeWire::handle));
    odpServer.setDispatcher(new WireDispatcher(odpWire::handle));

    SyncReport report;
    try (BrazeClient brazeClient =
            BrazeClient.builder()
                .apiKey("braze-key")
                .baseUrl(brazeServer.url("/").toString())
                .clock(time.clock)
                .sleeper(time.brazeSleeper())
                .jitter(new SplittableRandom(7))
                .rateLimits(RateLimits.unlimited())
                .retry(
                    RetrySettings.builder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(1))
                        .build())
                .eventListener(metrics.brazeListener())
                .build();
        OdpClient odpClient =
            OdpClient.builder()
                .apiKey("odp-key")
                .baseUrl(odpServer.url("/v3/").toString())
                .clock(time.clock)
                .sleeper(time.odpSleeper())
                .rateLimits(io.github.brazeodp.odp.RateLimits.unlimited())
                .retry(
                    io.github.brazeodp.odp.RetrySettings.builder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(1))
                        .seed(7)
                        .build())
                .eventListener(metrics.odpListener())
                .build()) {
      report =
          SegmentSync.builder()
              .braze(new BrazeClientGateway(brazeClient, time.clock))
              .odp(new OdpClientGateway(odpClient))
              .state(SyncStateStore.inMemory())
              .selection(Selection.segments("seg-1"))
              .createMissingFields(true)
              .clock(time.clock)
              .build()
              .run();
    }
    metrics.record(report);

    assertThat(report.counts().sent()).isPositive();
    assertThat(brazeServer.getRequestCount()).isGreaterThan(1);
    assertThat(odpServer.getRequestCount()).isGreaterThan(1);
    assertThat(requests("braze")).isEqualTo(brazeServer.getRequestCount());
    assertThat(requests("odp")).isEqualTo(odpServer.getRequestCount());
    assertThat(
            registry
                .get(SyncMetrics.HTTP_REQUESTS)
                .tags("api", "braze", "family", "default", "status", "429")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(counter(SyncMetrics.HTTP_RATE_LIMITED, "api", "braze")).isEqualTo(1);
    assertThat(counter(SyncMetrics.HTTP_RATE_LIMITED, "api", "odp")).isZero();
    assertThat(counter(SyncMetrics.HTTP_RETRIES, "api", "braze")).isEqualTo(1);
    assertThat(counter(SyncMetrics.HTTP_RETRIES, "api", "odp")).isEqualTo(1);
    assertThat(
            registry.find(SyncMetrics.HTTP_REQUESTS).tags("api", "odp", "status", "503").timers())
        .hasSize(1);

    assertThat(counter(SyncMetrics.ROWS, "flow", "segment_sync", "outcome", "sent"))
        .isEqualTo(report.counts().sent());
    assertThat(counter(SyncMetrics.ROWS, "flow", "segment_sync", "outcome", "rejected"))
        .isEqualTo(report.counts().rejected());
    assertThat(counter(SyncMetrics.ROWS, "flow", "segment_sync", "outcome", "unchanged"))
        .isEqualTo(report.counts().unchanged());
    Timer runs = registry.get(SyncMetrics.RUNS).tag("flow", "segment_sync").timer();
    assertThat(runs.count()).isEqualTo(1);
    assertThat(runs.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(report.duration().toMillis());
  }
}
