package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.samples.ui.TroubleshootingServer;
import io.github.brazeodp.samples.ui.UiInspector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** Starts the troubleshooting page for the commands that serve it (--ui or ui.port). */
final class Page {
  /** How many exchanges the page's inspector keeps. */
  static final int INSPECTOR_CAPACITY = 200;

  private Page() {}

  /** Returns the page's inspector when the page is enabled, else null. */
  static UiInspector inspector(InetSocketAddress address) {
    return address == null ? null : new UiInspector(INSPECTOR_CAPACITY);
  }

  /**
   * Serves only {@code /health} and {@code /metrics} on {@code address}, for a daemon with neither
   * the page nor the Currents receiver, so that its probes and scrapes always have a target.
   */
  static TroubleshootingServer startHealth(
      Host host,
      HostConfig config,
      InetSocketAddress address,
      Supplier<CurrentsHttpServer.Health> health,
      Log log) {
    try {
      TroubleshootingServer server =
          TroubleshootingServer.builder(host.state)
              .address(address)
              .token(config.ui().token())
              .health(health)
              .metrics(host::scrapeMetrics)
              .healthOnly()
              .start();
      log.line(
          "health: http://"
              + address.getHostString()
              + ":"
              + server.port()
              + "/health and /metrics"
              + (config.ui().token() == null
                  ? " (metrics to loopback only: ui.tokenEnv is not set)"
                  : " (metrics need the bearer token)"));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve /health on " + address, e);
    }
  }

  /** Starts the page on {@code address}, logging where it is. */
  static TroubleshootingServer start(
      Host host,
      HostConfig config,
      InetSocketAddress address,
      UiInspector inspector,
      Supplier<CurrentsHttpServer.Health> health,
      String title,
      Log log) {
    try {
      TroubleshootingServer page =
          TroubleshootingServer.builder(host.state)
              .address(address)
              .token(config.ui().token())
              .inspector(inspector)
              .health(health)
              .metrics(host::scrapeMetrics)
              .brazePrefix(config.segmentSync().mappings().prefix())
              .title(title)
              .start();
      log.line(
          "troubleshooting page: http://"
              + address.getHostString()
              + ":"
              + page.port()
              + "/"
              + (config.ui().token() == null ? "" : " (bearer token required)"));
      return page;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the troubleshooting page on " + address, e);
    }
  }
}
