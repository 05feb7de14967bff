package io.github.brazeodp.samples.cli;

import io.github.brazeodp.braze.BrazeClient;
import io.github.brazeodp.odp.OdpClient;
import io.github.brazeodp.sync.adapter.BrazeClientGateway;
import io.github.brazeodp.sync.adapter.OdpClientGateway;
import io.github.brazeodp.sync.adapter.RequestCounter;
import io.github.brazeodp.sync.inspect.EventInspector;
import io.github.brazeodp.sync.inspect.JsonLinesInspector;
import io.github.brazeodp.sync.metrics.ClientListeners;
import io.github.brazeodp.sync.metrics.SyncMetrics;
import io.github.brazeodp.sync.state.SyncStateStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** What a command needs to run flows: the two clients, their gateways, the state store. */
final class Host implements AutoCloseable {
  final BrazeClient braze;
  final OdpClient odp;
  final BrazeClientGateway brazeGateway;
  final OdpClientGateway odpGateway;
  final SyncStateStore state;
  // The SQLite file, or null when the state is in PostgreSQL.
  final Path stateFile;
  private final JsonLinesInspector sink;

  /** The inspectors exchanges go to (the --inspect file, the page's), before redaction; or null. */
  private final EventInspector inspector;

  /** Counts every HTTP attempt of both clients, so that activity reports requests and retries. */
  final RequestCounter requests;

  /**
   * The SDK's meters of this process (clients, runs, outbox), scraped by {@code GET /metrics}; one
   * registry per host, never Micrometer's global one, so that tests running several hosts in one
   * JVM see only their own.
   */
  final PrometheusMeterRegistry registry;

  final SyncMetrics metrics;

  private Host(
      BrazeClient braze,
      OdpClient odp,
      SyncStateStore state,
      Path stateFile,
      JsonLinesInspector sink,
      EventInspector inspector,
      RequestCounter requests,
      PrometheusMeterRegistry registry,
      SyncMetrics metrics) {
    this.braze = braze;
    this.odp = odp;
    this.brazeGateway = new BrazeClientGateway(braze, Clock.systemUTC());
    this.odpGateway = new OdpClientGateway(odp);
    this.state = state;
    this.stateFile = stateFile;
    this.sink = sink;
    this.inspector = inspector;
    this.requests = requests;
    this.registry = registry;
    this.metrics = metrics;
    metrics.bindOutbox(state);
  }

  /** Builds clients against the given endpoints, inspecting exchanges into {@code inspect}. */
  static Host open(
      String brazeKey,
      String brazeUrl,
      io.github.brazeodp.braze.TrackLimit trackLimit,
      String odpKey,
      io.github.brazeodp.odp.OdpRegion odpRegion,
      String odpUrl,
      Path stateFile,
      Path inspect) {
    return open(
        brazeKey, brazeUrl, trackLimit, odpKey, odpRegion, odpUrl, null, stateFile, inspect);
  }

  /**
   * Builds clients like {@link #open(String, String, io.github.brazeodp.braze.TrackLimit, String,
   * io.github.brazeodp.odp.OdpRegion, String, Path, Path)}, polling ODP exports as given (null for
   * the client's default): the sandboxes finish exports at once, so the demo need not wait 5 s.
   */
  static Host open(
      String brazeKey,
      String brazeUrl,
      io.github.brazeodp.braze.TrackLimit trackLimit,
      String odpKey,
      io.github.brazeodp.odp.OdpRegion odpRegion,
      String odpUrl,
      io.github.brazeodp.odp.ExportPolling exportPolling,
      Path stateFile,
      Path inspect) {
    return open(
        brazeKey,
        brazeUrl,
        trackLimit,
        odpKey,
        odpRegion,
        odpUrl,
        exportPolling,
        () -> SyncStateStore.sqlite(stateFile),
        stateFile,
        inspect,
        null,
        b -> b,
        o -> o);
  }

  private static Host open(
      String brazeKey,
      String brazeUrl,
      io.github.brazeodp.braze.TrackLimit trackLimit,
      String odpKey,
      io.github.brazeodp.odp.OdpRegion odpRegion,
      String odpUrl,
      io.github.brazeodp.odp.ExportPolling exportPolling,
      Supplier<SyncStateStore> openState,
      Path stateFile,
      Path inspect,
      EventInspector page,
      UnaryOperator<BrazeClient.Builder> brazeSettings,
      UnaryOperator<OdpClient.Builder> odpSettings) {
    JsonLinesInspector sink = null;
    if (inspect != null) {
      try {
        sink = EventInspector.jsonLines(inspect);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the inspector file " + inspect, e);
      }
    }
    EventInspector all = sink == null ? page : page == null ? sink : EventInspector.tee(sink, page);
    EventInspector inspector = all == null ? null : all.withSecrets(brazeKey, odpKey);
    BrazeClient.Builder b =
        BrazeClient.builder().apiKey(brazeKey).baseUrl(brazeUrl).trackLimit(trackLimit);
    OdpClient.Builder o = OdpClient.builder().apiKey(odpKey);
    if (odpUrl != null) {
      o.baseUrl(odpUrl);
    } else if (odpRegion != null) {
      o.region(odpRegion);
    }
    if (exportPolling != null) {
      o.exportPolling(exportPolling);
    }
    RequestCounter requests = new RequestCounter();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SyncMetrics metrics = SyncMetrics.micrometer(registry);
    if (inspector == null) {
      b.eventListener(ClientListeners.braze(requests::onBraze, metrics.brazeListener()));
      o.eventListener(ClientListeners.odp(requests::onOdp, metrics.odpListener()));
    } else {
      b.eventListener(
          ClientListeners.braze(
              requests::onBraze, metrics.brazeListener(), inspector.brazeListener()));
      o.eventListener(
          ClientListeners.odp(requests::onOdp, metrics.odpListener(), inspector.odpListener()));
    }
    return new Host(
        brazeSettings.apply(b).build(),
        odpSettings.apply(o).build(),
        openState.get(),
        stateFile,
        sink,
        all,
        requests,
        registry,
        metrics);
  }

  static Host open(HostConfig config, Path inspect) {
    return open(config, inspect, null, b -> b, o -> o);
  }

  /**
   * Builds the host as the configuration says, sending exchanges to the {@code --inspect} file (if
   * given) and to {@code page}, the troubleshooting page's inspector (if not null), both redacted.
   */
  static Host open(HostConfig config, Path inspect, EventInspector page) {
    return open(config, inspect, page, b -> b, o -> o);
  }

  /**
   * Builds clients like {@link #open(HostConfig, Path)}, then applies {@code brazeSettings} and
   * {@code odpSettings} (for example shorter retries for the preflight check).
   */
  static Host open(
      HostConfig config,
      Path inspect,
      UnaryOperator<BrazeClient.Builder> brazeSettings,
      UnaryOperator<OdpClient.Builder> odpSettings) {
    return open(config, inspect, null, brazeSettings, odpSettings);
  }

  private static Host open(
      HostConfig config,
      Path inspect,
      EventInspector page,
      UnaryOperator<BrazeClient.Builder> brazeSettings,
      UnaryOperator<OdpClient.Builder> odpSettings) {
    return open(
        config.braze().apiKey(),
        config.braze().baseUrl(),
        config.braze().trackLimit(),
        config.odp().apiKey(),
        config.odp().region(),
        config.odp().baseUrl(),
        null,
        config::openState,
        config.postgres() == null ? config.stateFile() : null,
        inspect,
        page,
        b ->
            brazeSettings.apply(
                b.exportLimits(config.braze().exportLimits())
                    .allowPrivateDownloadHosts(config.braze().allowPrivateDownloadHosts())),
        o ->
            odpSettings.apply(
                o.allowPrivateDownloadHosts(config.odp().allowPrivateDownloadHosts())));
  }

  /**
   * Returns the inspector for a component that holds more secrets (the Currents tokens), or null
   * when neither {@code --inspect} nor the page's inspector is in use.
   */
  EventInspector inspector(java.util.Collection<String> secrets) {
    return inspector == null ? null : inspector.withSecrets(secrets.toArray(String[]::new));
  }

  /** Returns the meters in Prometheus's text exposition format, for {@code GET /metrics}. */
  String scrapeMetrics() {
    return registry.scrape();
  }

  /**
   * Waits until {@code stopped} opens (returning false), or returns true as soon as the state store
   * closed itself after a failure it could not recover from (its connection unusable). The
   * long-running commands then exit non-zero so that their supervisor restarts them: never a live
   * process answering 503 forever. A store failing for now (a full disk) is not closed; it heals by
   * itself once writes succeed again, so it is waited out.
   *
   * @param every how often the store is looked at
   */
  boolean awaitStopOrClosedStore(CountDownLatch stopped, Duration every)
      throws InterruptedException {
    while (!stopped.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
      if (stateClosed()) {
        return true;
      }
    }
    return false;
  }

  boolean stateClosed() {
    try {
      state.outboxSize();
      return false;
    } catch (IllegalStateException closed) {
      return true;
    } catch (RuntimeException failing) {
      return false;
    }
  }

  /** Whether the state is in PostgreSQL, shared with other processes and hosts. */
  boolean sharedState() {
    return stateFile == null;
  }

  @Override
  public void close() {
    try {
      state.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the state store failed", e);
    } finally {
      braze.close();
      odp.close();
      if (sink != null) {
        sink.close();
      }
    }
  }
}
