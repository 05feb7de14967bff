package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.ui.TroubleshootingServer;
import io.github.brazeodp.samples.ui.UiInspector;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Serves the Braze Currents receiver until SIGTERM or SIGINT. */
@Command(
    name = "currents-receiver",
    mixinStandardHelpOptions = true,
    description = {
      "Receives Braze Currents (Custom Currents Export) on currents.port at currents.path and"
          + " forwards the events to ODP through the durable outbox in the state file.",
      "On SIGTERM or SIGINT it stops accepting, flushes the outbox for up to 3 s, and exits;"
          + " what is left is sent after the next start.",
      "With currents.kafka set it appends accepted events to the Kafka topic instead (2xx once the"
          + " broker acknowledged them) and currents-forwarder delivers them to ODP."
    })
final class CurrentsReceiverCommand implements Callable<Integer> {
  static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(3);
  static final Duration STORE_CHECK = Duration.ofSeconds(5);

  @ParentCommand Main main;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  @Option(names = "--inspect", description = "Write redacted posts and API exchanges here.")
  Path inspect;

  @Option(
      names = "--ui",
      arity = "0..1",
      fallbackValue = "-1",
      paramLabel = "PORT",
      description =
          "Serves the troubleshooting page on PORT (default ui.port, else 8081) at ui.host"
              + " (default 127.0.0.1).")
  Integer ui;

  @Override
  public Integer call() throws InterruptedException {
    HostConfig cfg = HostConfig.load(config, main.env);
    cfg.currents().requireToken("currents-receiver");
    InetSocketAddress pageAddress = cfg.ui().address(ui);
    UiInspector pageInspector = Page.inspector(pageAddress);
    Log log = new Log();
    Host host = Host.open(cfg, inspect, pageInspector);
    CurrentsService service;
    TroubleshootingServer page = null;
    try {
      service = CurrentsService.start(host, cfg, FLUSH_TIMEOUT, false);
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
    if (pageAddress != null) {
      try {
        page =
            Page.start(
                host,
                cfg,
                pageAddress,
                pageInspector,
                () -> CurrentsService.health(host.state, service, false, Clock.systemUTC()),
                "braze-odp-sync Currents receiver",
                log);
      } catch (RuntimeException e) {
        service.close();
        host.close();
        throw e;
      }
    }
    TroubleshootingServer shownPage = page;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.line("Currents receiver: stopping");
                  if (shownPage != null) {
                    shownPage.close();
                  }
                  try {
                    service.close();
                    log.line(
                        "Currents receiver: stopped; "
                            + service.counts()
                            + "; outbox holds "
                            + service.outboxMessages()
                            + " events");
                  } finally {
                    host.close();
                    stopped.countDown();
                  }
                },
                "currents-shutdown"));
    log.line(
        "Currents receiver: listening on port "
            + service.port()
            + " at "
            + cfg.currents().path()
            + "; state in "
            + cfg.stateDescription());
    if (host.awaitStopOrClosedStore(stopped, STORE_CHECK)) {
      log.line(
          "Currents receiver: the state store closed after an unrecoverable failure; exiting"
              + " so that the supervisor restarts the receiver (acknowledged events stay queued"
              + " in "
              + cfg.stateDescription()
              + ")");
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }
}
