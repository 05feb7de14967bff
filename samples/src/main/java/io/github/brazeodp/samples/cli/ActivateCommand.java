package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.EventActivation;
import io.github.brazeodp.sync.activation.OdpEventSource;
import io.github.brazeodp.sync.activation.Schedule;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
      "Runs one segment-enrolled activation now (ODP segment -> Braze), or one poll window of an"
          + " event-enrolled activation (ODP events exported after the stored watermark, or"
          + " from --since).",
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

  @Option(
      names = "--since",
      description =
          "Event-enrolled only: read ODP events from this time (ISO-8601 instant such as"
              + " 2026-12-01T00:00:00Z, or a duration back from now such as PT2H) instead of the"
              + " stored watermark. Events already sent stay guarded by the ledger.")
  String since;

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
      if (occurrence != null) {
        throw new ConfigException(
            "--occurrence applies to segment-enrolled activations; "
                + name
                + " is event-enrolled (each ODP event is its own occurrence)");
      }
      return pollOnce(cfg, activation);
    }
    if (since != null) {
      throw new ConfigException(
          "--since applies to event-enrolled activations; " + name + " is segment-enrolled");
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

  private int pollOnce(HostConfig cfg, Activation activation) {
    Instant from = since == null ? null : parseSince(since, clock.instant());
    try (Host host = Host.open(cfg, inspect)) {
      ActivationRunner runner =
          ActivationRunner.builder()
              .braze(host.brazeGateway)
              .odp(host.odpGateway)
              .state(host.state)
              .clock(clock)
              .build();
      ActivationsConfig.EventPolling polling = cfg.polling(activation.name());
      try (EventActivation events =
          EventActivation.builder(runner, activation).dryRun(dryRun).build()) {
        OdpEventSource source =
            OdpEventSource.builder(events, host.odpGateway)
                .interval(polling.interval())
                .overlap(polling.overlap())
                .build();
        System.out.println(
            (dryRun ? "dry run of " : "polling ")
                + activation
                + (from == null ? " after the stored watermark" : " from " + from));
        OdpEventSource.Window w = from == null ? source.poll() : source.poll(from);
        System.out.println(describe(w));
        System.out.println(w.report());
        return ExitCodes.of(w.report());
      }
    }
  }

  /** One line per window: what was read and fed, the lag and the watermark. */
  static String describe(OdpEventSource.Window w) {
    return "window "
        + w.from()
        + " .. "
        + w.to()
        + ": read "
        + w.read()
        + ", already fed "
        + w.alreadyFed()
        + ", fed "
        + w.fed()
        + ", lag "
        + (w.lag() == null ? "-" : w.lag().toString())
        + ", watermark "
        + w.watermark()
        + (w.committed() ? "" : " (not committed: the next window reads it again)");
  }

  /** Parses {@code --since}: an ISO-8601 instant, or a duration back from {@code now}. */
  static Instant parseSince(String text, Instant now) {
    try {
      if (text.startsWith("P") || text.startsWith("-P")) {
        Duration back = Duration.parse(text);
        if (back.isNegative() || back.isZero()) {
          throw new ConfigException("--since must be a positive duration back, was " + text);
        }
        return now.minus(back);
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          "--since must be an ISO-8601 instant such as 2026-12-01T00:00:00Z or a duration such"
              + " as PT2H, was \""
              + text
              + "\"");
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
