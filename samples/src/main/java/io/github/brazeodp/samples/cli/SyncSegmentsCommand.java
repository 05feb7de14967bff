package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.segments.SegmentSync;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs the Braze → ODP segment sync once. */
@Command(
    name = "sync-segments",
    mixinStandardHelpOptions = true,
    description = "Runs the Braze -> ODP segment sync once, as configured.")
final class SyncSegmentsCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  @Option(names = "--inspect", description = "Write redacted API exchanges as JSON lines here.")
  Path inspect;

  @Option(names = "--dry-run", description = "Map and diff, report, write nothing.")
  boolean dryRun;

  @Option(names = "--full-resync", description = "Ignore stored hashes and send every user.")
  boolean fullResync;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      converter = WaitConverter.class,
      description =
          "When another run holds a selected segment, wait up to this long (e.g. 90s, 10m, 1h,"
              + " PT5M) instead of exiting at once with "
              + ExitCodes.BUSY
              + ".")
  Duration wait = Duration.ZERO;

  @Override
  public Integer call() {
    HostConfig cfg = HostConfig.load(config, main.env);
    try (Host host = Host.open(cfg, inspect)) {
      SyncReport report = run(host, cfg, dryRun, fullResync, wait);
      return ExitCodes.of(report);
    }
  }

  static SyncReport run(Host host, HostConfig cfg, boolean dryRun, boolean fullResync) {
    return run(host, cfg, dryRun, fullResync, Duration.ZERO);
  }

  static SyncReport run(
      Host host, HostConfig cfg, boolean dryRun, boolean fullResync, Duration wait) {
    HostConfig.SegmentSync s = cfg.segmentSync();
    Progress progress = Progress.forConsole(System.out);
    SegmentSync sync =
        SegmentSync.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .selection(s.selection())
            .mappings(s.mappings())
            .identity(s.identity())
            .createMissingFields(s.createMissingFields())
            .batchSize(s.batchSize())
            .concurrentExports(s.concurrentExports())
            .fullResync(fullResync)
            .waitForLock(wait)
            .requestCounter(host.requests)
            .progress(progress)
            .build();
    SyncReport report = dryRun ? sync.dryRun() : sync.run();
    host.metrics.record(report);
    progress.done();
    System.out.println(report);
    return report;
  }

  /** Reads 90s, 10m, 2h, 1d, a plain number of seconds, or ISO-8601 (PT5M). */
  static final class WaitConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String text = value.strip().toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (text.startsWith("p")) {
          d = Duration.parse(text.toUpperCase(Locale.ROOT));
        } else if (text.matches("\\d+")) {
          d = Duration.ofSeconds(Long.parseLong(text));
        } else if (text.matches("\\d+[smhd]")) {
          long n = Long.parseLong(text.substring(0, text.length() - 1));
          d =
              switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              };
        } else {
          throw new CommandLine.TypeConversionException(
              "--wait must be a duration such as 90s, 10m, 1h or PT5M, was \"" + value + "\"");
        }
        if (d.isNegative()) {
          throw new CommandLine.TypeConversionException(
              "--wait must not be negative, was \"" + value + "\"");
        }
        return d;
      } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
        throw new CommandLine.TypeConversionException(
            "--wait must be a duration such as 90s, 10m, 1h or PT5M, was \"" + value + "\"");
      }
    }
  }
}
