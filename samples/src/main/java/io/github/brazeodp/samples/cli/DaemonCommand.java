package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.ui.UiInspector;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs the host as a long-lived process until SIGTERM or SIGINT. */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the segment sync nightly (daemon.segmentSyncAt in daemon.zone), the scheduled"
          + " activations, the ODP event polling of event-enrolled activations (every"
          + " event.pollInterval), and the Currents receiver when currents.tokensEnv is set, until"
          + " SIGTERM or SIGINT.",
      "GET /health and GET /metrics are answered on the Currents port when the receiver runs,"
          + " else on daemon.healthPort (default 8080) at daemon.healthHost (default 0.0.0.0);"
          + " /metrics beyond loopback needs the ui.tokenEnv bearer token.",
      "With --ui (or ui.port) it also serves the troubleshooting page, /health and /metrics on a"
          + " port of its own.",
      "On SIGTERM it stops within 5 s: the receiver stops accepting and flushes its outbox,"
          + " running jobs stop and resume from their checkpoints next time.",
      "If the state store closes itself after a failure it cannot recover from, the daemon exits"
          + " with status 1 within 5 s, so that its supervisor restarts it."
    })
final class DaemonCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  @Option(names = "--inspect", description = "Write redacted API exchanges as JSON lines here.")
  Path inspect;

  @Option(
      names = "--ui",
      arity = "0..1",
      fallbackValue = "-1",
      paramLabel = "PORT",
      description =
          "Serves the troubleshooting page and /health on PORT (default ui.port, else 8081) at"
              + " ui.host (default 127.0.0.1).")
  Integer ui;

  @Override
  public Integer call() throws InterruptedException {
    HostConfig cfg = HostConfig.load(config, main.env);
    if (cfg.currents().enabled()) {
      cfg.currents().requireToken("daemon");
    }
    InetSocketAddress pageAddress = cfg.ui().address(ui);
    UiInspector pageInspector = Page.inspector(pageAddress);
    Log log = new Log();
    Host host = Host.open(cfg, inspect, pageInspector);
    HostDaemon daemon;
    try {
      daemon =
          HostDaemon.start(
              host,
              cfg,
              Clock.systemUTC(),
              log,
              pageAddress,
              pageInspector,
              cfg.daemon().healthAddress());
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.line("daemon: stopping");
                  try {
                    daemon.close();
                  } finally {
                    host.close();
                    log.line("daemon: stopped");
                    stopped.countDown();
                  }
                },
                "daemon-shutdown"));
    log.line("daemon: started; state in " + cfg.stateDescription());
    // The same watch as currents-receiver: a store that closed itself ends the process non-zero.
    if (host.awaitStopOrClosedStore(stopped, CurrentsReceiverCommand.STORE_CHECK)) {
      log.line(
          "daemon: the state store closed after an unrecoverable failure; exiting so that the"
              + " supervisor restarts the daemon (its state stays in "
              + cfg.stateDescription()
              + ")");
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }
}
