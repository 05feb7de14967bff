package io.github.brazeodp.sync.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.ManualClock;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyncMetricsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
  private final ManualClock clock = new ManualClock(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SyncMetrics metrics = SyncMetrics.micrometer(registry, clock);

  private static BrazeExchange braze(String endpoint, int attempt, int status) {
    return new BrazeExchange(
        T0,
        "POST",
        "https://rest.iad-01.braze.com" + endpoint,
        endpoint,
        attempt,
        Map.of(),
        "",
        status,
        Map.of(),
        "",
        Duration.ofMillis(40),
        status < 0 ? "timeout" : null);
  }

  private static OdpExchange odp(String endpoint, int attempt, int status) {
    return new OdpExchange(
        "POST",
        "https://api.zaius.com/v3/" + endpoint,
        endpoint,
        Map.of(),
        null,
        status,
        Map.of(),
        null,
        Duration.ofMillis(15),
        attempt,
        null);
  }

  @Test
  void brazeAttemptsAreTaggedByRateLimitFamilyAndStatus() {
    BrazeEventListener l = metrics.brazeListener();
    l.onExchange(braze("/users/track", 1, 429));
    l.onExchange(braze("/users/track", 2, 201));
    l.onExchange(braze("/canvas/trigger/send", 1, 201));
    l.onExchange(braze("/segments/list", 1, -1));

    assertThat(timerCount("braze", "users_track", "429")).isEqualTo(1);
    assertThat(timerCount("braze", "users_track", "201")).isEqualTo(1);
    assertThat(timerCount("braze", "messaging", "201")).isEqualTo(1);
    assertThat(timerCount("braze", "default", "IO_ERROR")).isEqualTo(1);
    assertThat(
            registry.get(SyncMetrics.HTTP_RETRIES).tag("family", "users_track").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(SyncMetrics.HTTP_RATE_LIMITED).tag("api", "braze").counter().count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(SyncMetrics.HTTP_REQUESTS)
                .tags("family", "users_track", "status", "429")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(40);
  }

  @Test
  void odpAttemptsUseTheClientsEndpointName() {
    OdpEventListener l = metrics.odpListener();
    l.onExchange(odp("events", 1, 202));
    l.onExchange(odp("events", 2, 202));
    l.onExchange(odp("profiles", 1, 429));
    assertThat(timerCount("odp", "events", "202")).isEqualTo(2);
    assertThat(registry.get(SyncMetrics.HTTP_RETRIES).tag("api", "odp").counter().count())
        .isEqualTo(1);
    assertThat(
            registry.get(SyncMetrics.HTTP_RATE_LIMITED).tag("family", "profiles").counter().count())
        .isEqualTo(1);
  }

  @Test
  void runsAddRowsPerFlowAndDryRunsOnlyTheirDuration() {
    ActivityRecord run = activity(ActivityRecord.Flow.CURRENTS, 12, 2, 5, Duration.ofSeconds(3));
    metrics.record(new SyncReport(run, false, List.of(), List.of()));
    metrics.record(run);
    metrics.record(new SyncReport(run, true, List.of(), List.of()));

    assertThat(rows("currents", "sent")).isEqualTo(24);
    assertThat(rows("currents", "rejected")).isEqualTo(4);
    assertThat(rows("currents", "unchanged")).isEqualTo(10);
    assertThat(registry.get(SyncMetrics.RUNS).tag("dry_run", "false").timer().count()).isEqualTo(2);
    assertThat(
            registry
                .get(SyncMetrics.RUNS)
                .tags("dry_run", "true", "status", "partial")
                .timer()
                .totalTime(TimeUnit.SECONDS))
        .isEqualTo(3);
  }

  @Test
  void outboxGaugesReadTheStoreOnEachScrape() {
    SyncStateStore store = SyncStateStore.inMemory();
    metrics.bindOutbox(store);
    assertThat(gauge(SyncMetrics.OUTBOX_MESSAGES)).isZero();
    assertThat(registry.get(SyncMetrics.OUTBOX_OLDEST_AGE).timeGauge().value(TimeUnit.SECONDS))
        .isZero();

    List<OutboxMessage> messages = new ArrayList<>();
    messages.add(new OutboxMessage("m1", "{\"a\":1}", T0));
    messages.add(new OutboxMessage("m2", "{\"b\":22}", T0.plusSeconds(30)));
    store.enqueue(messages);
    clock.sleep(Duration.ofSeconds(90));

    assertThat(gauge(SyncMetrics.OUTBOX_MESSAGES)).isEqualTo(2);
    assertThat(gauge(SyncMetrics.OUTBOX_BYTES)).isEqualTo(15);
    assertThat(registry.get(SyncMetrics.OUTBOX_OLDEST_AGE).timeGauge().value(TimeUnit.SECONDS))
        .isEqualTo(90);

    store.close();
    assertThat(gauge(SyncMetrics.OUTBOX_MESSAGES)).isNaN();
  }

  @Test
  void combinedListenersAllSeeEachExchangeEvenWhenOneThrows() {
    List<String> seen = new ArrayList<>();
    BrazeEventListener failing =
        e -> {
          throw new IllegalStateException("boom");
        };
    BrazeEventListener both =
        ClientListeners.braze(failing, metrics.brazeListener(), e -> seen.add(e.endpoint()));
    both.onExchange(braze("/users/track", 1, 201));
    both.onExchange(braze("/users/track", 1, 201));
    assertThat(seen).containsExactly("/users/track", "/users/track");
    assertThat(timerCount("braze", "users_track", "201")).isEqualTo(2);

    List<String> odpSeen = new ArrayList<>();
    ClientListeners.odp(e -> odpSeen.add("first"), e -> odpSeen.add("second"))
        .onExchange(odp("events", 1, 202));
    assertThat(odpSeen).containsExactly("first", "second");
  }

  private long timerCount(String api, String family, String status) {
    return registry
        .get(SyncMetrics.HTTP_REQUESTS)
        .tags("api", api, "family", family, "status", status)
        .timer()
        .count();
  }

  private double rows(String flow, String outcome) {
    return registry.get(SyncMetrics.ROWS).tags("flow", flow, "outcome", outcome).counter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private ActivityRecord activity(
      ActivityRecord.Flow flow, long sent, long rejected, long unchanged, Duration took) {
    ActivityCounts counts =
        ActivityCounts.builder().sent(sent).rejected(rejected).unchanged(unchanged).build();
    return new ActivityRecord(
        "run-1",
        ActivityRecord.CATEGORY_BRAZE,
        flow,
        "subject",
        T0,
        T0.plus(took),
        ActivityRecord.Status.PARTIAL,
        counts,
        List.of());
  }
}
