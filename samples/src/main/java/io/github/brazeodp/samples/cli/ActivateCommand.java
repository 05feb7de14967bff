package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.Schedule;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs one segment-enrolled activation of the configuration now. */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one segment-enrolled activation now (ODP segment -> Braze).",
      "The occurrence id keys the activation ledger: rerunning the same occurrence never sends"
          + " anyone twice. Default: the id of the schedule's latest occurrence due now (the same"
          + " id the daemon uses), or manual-<current UTC time to the second> when the activation"
          + " has no schedule or none is due yet."
    })
final class ActivateCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  @Option(names = "--name", required = true, description = "The activation's name in the config.")
  String name;

  @Option(
      names = "--occurrence",
      description = "Occurrence id (default: derived from the schedule or the time, see above).")
  String occurrence;

  @Option(names = "--dry-run", description = "Render and count who would be sent; send nothing.")
  boolean dryRun;

  @Option(names = "--inspect", description = "Write redacted API exchanges as JSON lines here.")
  Path inspect;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    HostConfig cfg = HostConfig.load(config, main.env);
    Activation activation = cfg.activation(name);
    if (activation.segment().isEmpty()) {
      throw new ConfigException(
          "activation "
              + name
              + " is event-enrolled: it runs as matching ODP events arrive, not on demand;"
              + " activate runs segment-enrolled activations");
    }
    String id = occurrence != null ? occurrence : defaultOccurrence(activation, clock.instant());
    try (Host host = Host.open(cfg, inspect)) {
      ActivationRunner runner =
          ActivationRunner.builder()
              .braze(host.brazeGateway)
              .odp(host.odpGateway)
              .state(host.state)
              .build();
      System.out.println((dryRun ? "dry run of " : "running ") + activation + ", occurrence " + id);
      SyncReport report = dryRun ? runner.dryRun(activation, id) : runner.run(activation, id);
      System.out.println(report);
      return ExitCodes.of(report);
    }
  }

  /**
   * Returns the default occurrence id: the schedule's latest occurrence at or before {@code now},
   * else {@code manual-} and {@code now} to the second.
   */
  static String defaultOccurrence(Activation activation, Instant now) {
    return activation
        .schedule()
        .flatMap(s -> latestDue(s, now).map(s::occurrenceId))
        .orElse("manual-" + now.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Returns the latest run of {@code schedule} at or before {@code now}, if any. */
  static Optional<Instant> latestDue(Schedule schedule, Instant now) {
    // Schedules only look forward: look back from now over a widening window until a run is
    // found, then walk forward to the last one that is due. Ten years back covers any schedule
    // with runs at most every N weeks.
    for (Duration back = Duration.ofHours(2);
        back.compareTo(Duration.ofDays(3_660)) <= 0;
        back = back.multipliedBy(4)) {
      Optional<Instant> run = schedule.nextRunAfter(now.minus(back));
      if (run.isPresent() && !run.get().isAfter(now)) {
        Instant due = run.get();
        for (Optional<Instant> next = schedule.nextRunAfter(due);
            next.isPresent() && !next.get().isAfter(now);
            next = schedule.nextRunAfter(due)) {
          due = next.get();
        }
        return Optional.of(due);
      }
    }
    return Optional.empty();
  }
}
