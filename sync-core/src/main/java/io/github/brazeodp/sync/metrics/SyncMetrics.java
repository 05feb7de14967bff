package io.github.brazeodp.sync.metrics;

import io.github.brazeodp.braze.BrazeEventListener;
import io.github.brazeodp.braze.BrazeExchange;
import io.github.brazeodp.braze.BrazeWait;
import io.github.brazeodp.braze.EndpointFamily;
import io.github.brazeodp.odp.OdpEventListener;
import io.github.brazeodp.odp.OdpExchange;
import io.github.brazeodp.odp.OdpWait;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.state.ActivityCounts;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Records what the clients and flows do as Micrometer meters.
 *
 * <pre>{@code
 * SyncMetrics metrics = SyncMetrics.micrometer(registry);
 * BrazeClient braze = BrazeClient.builder()...eventListener(metrics.brazeListener()).build();
 * OdpClient odp = OdpClient.builder()...eventListener(metrics.odpListener()).build();
 * metrics.bindOutbox(store);
 * metrics.record(segmentSync.run());
 * }</pre>
 *
 * <p>Meters (names in Micrometer's dotted form; a Prometheus registry writes {@code
 * brazeodp_http_requests_seconds_count} and so on):
 *
 * <ul>
 *   <li>{@value #HTTP_REQUESTS} (timer; tags {@code api} = braze|odp, {@code family}, {@code
 *       status} = the HTTP status or {@code IO_ERROR}): every attempt, retries included;
 *   <li>{@value #HTTP_RETRIES} (counter; {@code api}, {@code family}): attempts after the first;
 *   <li>{@value #HTTP_RATE_LIMITED} (counter; {@code api}, {@code family}): 429 answers;
 *   <li>{@value #HTTP_WAITS} (timer; {@code api}, {@code family}, {@code reason} =
 *       pacing|rate_limited|backoff): the clients' waits before an attempt, each recorded with the
 *       duration the client is about to wait;
 *   <li>{@value #ROWS} (counter; {@code flow}, {@code outcome} =
 *       sent|rejected|unchanged|unmatched);
 *   <li>{@value #RUNS} (timer; {@code flow}, {@code status}, {@code dry_run}): run durations;
 *   <li>{@value #OUTBOX_MESSAGES}, {@value #OUTBOX_BYTES} and {@value #OUTBOX_OLDEST_AGE} (gauges):
 *       the Currents outbox, read from the store when the registry is scraped.
 * </ul>
 *
 * <p>The Braze {@code family} is the rate-limit family ({@link EndpointFamily}, lower case); the
 * ODP {@code family} is the client's endpoint name (e.g. {@code events}). Both are small fixed
 * sets, so the tags stay bounded.
 *
 * <p>Thread-safe; one instance serves any number of clients and flows.
 */
public final class SyncMetrics {
  /** Timer of HTTP attempts. */
  public static final String HTTP_REQUESTS = "brazeodp.http.requests";

  /** Counter of retried attempts. */
  public static final String HTTP_RETRIES = "brazeodp.http.retries";

  /** Counter of 429 answers. */
  public static final String HTTP_RATE_LIMITED = "brazeodp.http.rate.limited";

  /** Timer of the clients' pacing, rate-limit and backoff waits. */
  public static final String HTTP_WAITS = "brazeodp.http.waits";

  /** Counter of records per flow and outcome. */
  public static final String ROWS = "brazeodp.sync.rows";

  /** Timer of flow runs. */
  public static final String RUNS = "brazeodp.sync.runs";

  /** Gauge of messages waiting in the Currents outbox. */
  public static final String OUTBOX_MESSAGES = "brazeodp.outbox.messages";

  /** Gauge of payload bytes waiting in the Currents outbox. */
  public static final String OUTBOX_BYTES = "brazeodp.outbox.bytes";

  /** Time gauge of how long the oldest outbox message has waited. */
  public static final String OUTBOX_OLDEST_AGE = "brazeodp.outbox.oldest.age";

  /**
   * The Braze paths with their own rate-limit family. The exchange carries only the path, and the
   * client's endpoint table is internal to braze-client; every other path is in the default pool.
   */
  private static final Map<String, EndpointFamily> BRAZE_FAMILIES =
      Map.of(
          "/users/track", EndpointFamily.USERS_TRACK,
          "/users/export/ids", EndpointFamily.USERS_EXPORT_IDS,
          "/campaigns/trigger/send", EndpointFamily.MESSAGING,
          "/canvas/trigger/send", EndpointFamily.MESSAGING,
          "/messages/send", EndpointFamily.MESSAGING);

  private final MeterRegistry registry;
  private final Clock clock;

  private SyncMetrics(MeterRegistry registry, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns metrics recorded into {@code registry}, with the system clock for outbox ages. */
  public static SyncMetrics micrometer(MeterRegistry registry) {
    return new SyncMetrics(registry, Clock.systemUTC());
  }

  /** Returns metrics recorded into {@code registry}, with {@code clock} for outbox ages. */
  public static SyncMetrics micrometer(MeterRegistry registry, Clock clock) {
    return new SyncMetrics(registry, clock);
  }

  /** Returns the listener to pass to {@code BrazeClient.Builder.eventListener}. */
  public BrazeEventListener brazeListener() {
    return new BrazeEventListener() {
      @Override
      public void onExchange(BrazeExchange e) {
        String family =
            BRAZE_FAMILIES
                .getOrDefault(e.endpoint(), EndpointFamily.DEFAULT)
                .name()
                .toLowerCase(Locale.ROOT);
        exchange("braze", family, e.status(), e.attempt(), e.duration());
      }

      @Override
      public void onWait(BrazeWait w) {
        waited(
            "braze",
            w.family().name().toLowerCase(Locale.ROOT),
            w.reason().name().toLowerCase(Locale.ROOT),
            w.duration());
      }

      @Override
      public String toString() {
        return "SyncMetrics.brazeListener(" + registry.getClass().getSimpleName() + ")";
      }
    };
  }

  /** Returns the listener to pass to {@code OdpClient.Builder.eventListener}. */
  public OdpEventListener odpListener() {
    return new OdpEventListener() {
      @Override
      public void onExchange(OdpExchange e) {
        String family = e.endpoint() == null || e.endpoint().isEmpty() ? "other" : e.endpoint();
        exchange("odp", family, e.status(), e.attempt(), e.duration());
      }

      @Override
      public void onWait(OdpWait w) {
        String family = w.endpoint().isEmpty() ? "other" : w.endpoint();
        waited("odp", family, w.reason().name().toLowerCase(Locale.ROOT), w.duration());
      }

      @Override
      public String toString() {
        return "SyncMetrics.odpListener(" + registry.getClass().getSimpleName() + ")";
      }
    };
  }

  private void exchange(String api, String family, int status, int attempt, Duration duration) {
    Timer.builder(HTTP_REQUESTS)
        .description("HTTP attempts to Braze and ODP, retries included")
        .tags(
            "api",
            api,
            "family",
            family,
            "status",
            status < 0 ? "IO_ERROR" : Integer.toString(status))
        .register(registry)
        .record(duration == null ? Duration.ZERO : duration);
    if (attempt > 1) {
      Counter.builder(HTTP_RETRIES)
          .description("HTTP attempts after the first of a call")
          .tags("api", api, "family", family)
          .register(registry)
          .increment();
    }
    if (status == 429) {
      Counter.builder(HTTP_RATE_LIMITED)
          .description("HTTP 429 answers")
          .tags("api", api, "family", family)
          .register(registry)
          .increment();
    }
  }

  private void waited(String api, String family, String reason, Duration duration) {
    Timer.builder(HTTP_WAITS)
        .description("Waits of the clients before an attempt: pacing, rate limits, backoff")
        .tags("api", api, "family", family, "reason", reason)
        .register(registry)
        .record(duration);
  }

  /** Records one run: its records per outcome and its duration. */
  public void record(SyncReport report) {
    Objects.requireNonNull(report, "report");
    record(report.activity(), report.dryRun());
  }

  /**
   * Records one run from its activity record, for hosts that read runs back from the store. Records
   * the same run only once: the meters are cumulative.
   */
  public void record(ActivityRecord activity) {
    Objects.requireNonNull(activity, "activity");
    record(activity, false);
  }

  private void record(ActivityRecord activity, boolean dryRun) {
    String flow = activity.flow().name().toLowerCase(Locale.ROOT);
    // A dry run sends nothing, so its would-be counts stay out of the row totals.
    if (!dryRun) {
      ActivityCounts c = activity.counts();
      rows(flow, "sent", c.sent());
      rows(flow, "rejected", c.rejected());
      rows(flow, "unchanged", c.unchanged());
      rows(flow, "unmatched", c.unmatched());
    }
    Timer.builder(RUNS)
        .description("Flow runs by status")
        .tags(
            Tags.of(
                "flow",
                flow,
                "status",
                activity.status().name().toLowerCase(Locale.ROOT),
                "dry_run",
                Boolean.toString(dryRun)))
        .register(registry)
        .record(Duration.between(activity.start(), activity.end()));
  }

  private void rows(String flow, String outcome, long n) {
    Counter.builder(ROWS)
        .description("Records per flow and outcome")
        .tags("flow", flow, "outcome", outcome)
        .register(registry)
        .increment(n);
  }

  /**
   * Registers gauges of the Currents outbox of {@code store}, read on each scrape. The registry
   * keeps a strong reference to the store; a store that fails (for example once closed) reads as
   * NaN.
   */
  public void bindOutbox(SyncStateStore store) {
    Objects.requireNonNull(store, "store");
    Gauge.builder(OUTBOX_MESSAGES, store, s -> safely(() -> s.outboxSize().messages()))
        .description("Messages waiting in the Currents outbox")
        .strongReference(true)
        .register(registry);
    Gauge.builder(OUTBOX_BYTES, store, s -> safely(() -> s.outboxSize().bytes()))
        .description("Payload bytes waiting in the Currents outbox")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    TimeGauge.builder(
            OUTBOX_OLDEST_AGE, store, TimeUnit.MILLISECONDS, s -> safely(() -> oldestAgeMillis(s)))
        .description("How long the oldest outbox message has waited; 0 when empty")
        .strongReference(true)
        .register(registry);
  }

  private double oldestAgeMillis(SyncStateStore store) {
    List<OutboxMessage> oldest = store.peekOutbox(1);
    if (oldest.isEmpty()) {
      return 0;
    }
    return Math.max(0, Duration.between(oldest.get(0).enqueuedAt(), clock.instant()).toMillis());
  }

  private interface Reading {
    double read();
  }

  private static double safely(Reading reading) {
    try {
      return reading.read();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  @Override
  public String toString() {
    return "SyncMetrics(" + registry.getClass().getSimpleName() + ")";
  }
}
