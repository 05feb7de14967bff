package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.sync.IdentityRule;
import io.github.brazeodp.sync.RunLock;
import io.github.brazeodp.sync.currents.CurrentsCounts;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsSink;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The Currents receiver of the host: the sample HTTP server ({@link CurrentsHttpServer}) in front
 * of a {@link CurrentsReceiver} and a {@link CurrentsForwarder} on the host's state store, so the
 * outbox, the de-duplication ids and the activity log share the one SQLite file.
 */
final class CurrentsService implements AutoCloseable {
  /**
   * How long in-flight posts get to finish queuing after the listener is closed: the sample
   * server's own one-second stop delay, plus a little.
   */
  static final Duration IN_FLIGHT_GRACE = Duration.ofMillis(1_100);

  private final CurrentsForwarder forwarder;
  private final CurrentsReceiver receiver;
  private final CurrentsHttpServer server;
  private final KafkaCurrentsSink sink;
  private boolean closed;

  private CurrentsService(
      CurrentsForwarder forwarder,
      CurrentsReceiver receiver,
      CurrentsHttpServer server,
      KafkaCurrentsSink sink) {
    this.forwarder = forwarder;
    this.receiver = receiver;
    this.server = server;
    this.sink = sink;
  }

  /** How long a replica's outbox claim lasts: well beyond one ODP request with its retries. */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(1);

  /**
   * Starts forwarding (first draining what a previous run left in the outbox) and then serving.
   *
   * @param flushTimeout how long {@link #close()} may spend flushing the outbox
   */
  static CurrentsService start(
      Host host,
      int port,
      List<String> tokens,
      long bodyLimitBytes,
      IdentityRule identity,
      String prefix,
      Duration flushTimeout) {
    return start(host, port, tokens, bodyLimitBytes, identity, prefix, flushTimeout, false, null);
  }

  /**
   * Starts the receiver like the method above; {@code daemon} makes its {@code /health} the
   * daemon's, which also reports the last segment sync. {@code GET /metrics} answers requests
   * bearing {@code metricsToken} (the page's token; with none, every scrape gets 401: this port
   * listens beyond loopback).
   */
  static CurrentsService start(
      Host host,
      int port,
      List<String> tokens,
      long bodyLimitBytes,
      IdentityRule identity,
      String prefix,
      Duration flushTimeout,
      boolean daemon,
      String metricsToken) {
    return start(
        host,
        port,
        tokens,
        bodyLimitBytes,
        identity,
        prefix,
        flushTimeout,
        daemon,
        metricsToken,
        null);
  }

  /**
   * Starts the receiver; with {@code kafka} it appends accepted events to the Kafka topic
   * (answering 2xx once the broker acknowledged them) and leaves delivery to {@code
   * currents-forwarder}, its forwarder only lending the store and counters.
   */
  private static CurrentsService start(
      Host host,
      int port,
      List<String> tokens,
      long bodyLimitBytes,
      IdentityRule identity,
      String prefix,
      Duration flushTimeout,
      boolean daemon,
      String metricsToken,
      HostConfig.Kafka kafka) {
    KafkaCurrentsSink sink =
        kafka == null
            ? null
            : KafkaCurrentsSink.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(kafka.topic())
                .properties(kafka.properties())
                .build();
    CurrentsForwarder.Builder forwarding =
        CurrentsForwarder.builder()
            .odp(host.odpGateway)
            .state(host.state)
            .shutdownTimeout(flushTimeout);
    if (host.sharedState()) {
      // Replicas share the PostgreSQL outbox: each forwarder claims under a name of its own. A
      // replica that dies leaves its claims to the others after the lease.
      forwarding.claims("currents-forwarder/" + RunLock.newOwner(), CLAIM_LEASE);
    }
    CurrentsForwarder forwarder = forwarding.build();
    CurrentsReceiver receiver =
        CurrentsReceiver.builder()
            .tokens(tokens)
            .forwarder(forwarder)
            .maxBodyBytes(bodyLimitBytes)
            .identity(identity)
            .prefix(prefix)
            .inspector(host.inspector(tokens))
            .endpoint(CurrentsHttpServer.PATH)
            .sink(sink)
            .build();
    if (sink == null) {
      forwarder.start();
    }
    try {
      SyncStateStore state = host.state;
      CurrentsHttpServer server =
          CurrentsHttpServer.builder(receiver)
              .address(new InetSocketAddress(port))
              .threads(8)
              .health(
                  () ->
                      daemon
                          ? HostHealth.probe(
                              state, "daemon/health", forwarder, receiver, true, Clock.systemUTC())
                          : health(state, forwarder, receiver, Clock.systemUTC()))
              .metrics(host::scrapeMetrics, metricsToken)
              .start();
      return new CurrentsService(forwarder, receiver, server, sink);
    } catch (IOException e) {
      forwarder.close();
      closeSink(sink);
      throw new UncheckedIOException("cannot listen for Currents on port " + port, e);
    } catch (RuntimeException e) {
      forwarder.close();
      closeSink(sink);
      throw e;
    }
  }

  private static void closeSink(KafkaCurrentsSink sink) {
    if (sink != null) {
      sink.close();
    }
  }

  /**
   * Starts the receiver as the configuration says; {@code daemon} makes its {@code /health} the
   * daemon's, which also reports the last segment sync.
   */
  static CurrentsService start(
      Host host, HostConfig config, Duration flushTimeout, boolean daemon) {
    HostConfig.Currents c = config.currents();
    return start(
        host,
        c.port(),
        c.tokens(),
        c.bodyLimitBytes(),
        config.segmentSync().identity(),
        config.segmentSync().mappings().prefix(),
        flushTimeout,
        daemon,
        config.ui().token(),
        c.kafka());
  }

  /** The receiver's readiness (see {@link HostHealth}): store writable, outbox under its bound. */
  static CurrentsHttpServer.Health health(
      SyncStateStore state, CurrentsForwarder forwarder, CurrentsReceiver receiver, Clock clock) {
    return HostHealth.probe(state, "currents/health", forwarder, receiver, false, clock);
  }

  /**
   * The readiness the troubleshooting page reports: the receiver's ({@code currents} may be null
   * when the daemon runs none) and, for the daemon, how the last segment sync ended.
   */
  static CurrentsHttpServer.Health health(
      SyncStateStore state, CurrentsService currents, boolean daemon, Clock clock) {
    return HostHealth.probe(
        state,
        daemon ? "daemon/health" : "currents/health",
        currents == null ? null : currents.forwarder,
        currents == null ? null : currents.receiver,
        daemon,
        clock);
  }

  int port() {
    return server.port();
  }

  CurrentsCounts counts() {
    return receiver.counts();
  }

  long outboxMessages() {
    return forwarder.outboxSize().messages();
  }

  /**
   * Stops accepting posts, lets running ones finish queuing, flushes the outbox within the flush
   * timeout, and returns; what cannot be sent stays durably queued for the next start.
   *
   * <p>The HTTP server is stopped on its own thread and waited for at most {@link
   * #IN_FLIGHT_GRACE}: closing the listener is the first thing it does, so new posts are refused at
   * once, and it then gives running posts up to a second; the wait is bounded here rather than
   * trusted.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Thread stopper = new Thread(server::close, "currents-http-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(IN_FLIGHT_GRACE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    forwarder.close();
    // After the server: posts still running get their records acknowledged or a 503.
    closeSink(sink);
  }
}
