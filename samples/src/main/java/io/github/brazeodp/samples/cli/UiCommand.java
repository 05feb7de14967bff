package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.ui.TroubleshootingServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Serves the troubleshooting page over a state file alone, on 127.0.0.1: the activity log and the
 * outbox of a host that is not running (or runs elsewhere on the same file), without API keys.
 */
@Command(
    name = "ui",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the troubleshooting page (activity log, chart of runs, outbox and dead letters) over"
          + " a state file on 127.0.0.1 until SIGTERM or SIGINT; it needs no API keys.",
      "The event inspector is on the pages of `daemon --ui` and `currents-receiver --ui`, which"
          + " make the API calls it shows."
    })
final class UiCommand implements Callable<Integer> {
  @Option(names = "--state", description = "State file (default: from --config).")
  Path state;

  @Option(names = "--config", description = "JSON configuration file naming the state file.")
  Path config;

  @Option(
      names = "--port",
      defaultValue = "8081",
      description = "Port on 127.0.0.1 (default 8081; 0 picks a free one).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new ConfigException("--port must be from 0 to 65535, was " + port);
    }
    Log log = new Log();
    io.github.brazeodp.sync.state.SyncStateStore store =
        HostConfig.openStateOf(state, config, System::getenv);
    Path titled = state != null ? state : config;
    TroubleshootingServer page;
    try {
      page =
          TroubleshootingServer.builder(store)
              .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
              .health(
                  () -> HostHealth.probe(store, "ui/health", null, null, true, Clock.systemUTC()))
              .title("braze-odp-sync " + titled.getFileName())
              .start();
    } catch (IOException e) {
      store.close();
      throw new UncheckedIOException("cannot serve the troubleshooting page on port " + port, e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  page.close();
                  store.close();
                  stopped.countDown();
                },
                "ui-shutdown"));
    log.line("troubleshooting page: http://127.0.0.1:" + page.port() + "/ over " + titled);
    stopped.await();
    return ExitCodes.OK;
  }
}
