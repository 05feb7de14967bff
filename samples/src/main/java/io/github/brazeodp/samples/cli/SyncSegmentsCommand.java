package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.segments.SegmentSync;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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

  @Override
  public Integer call() {
    HostConfig cfg = HostConfig.load(config, main.env);
    try (Host host = Host.open(cfg, inspect)) {
      SyncReport report = run(host, cfg, dryRun, fullResync);
      return ExitCodes.of(report);
    }
  }

  static SyncReport run(Host host, HostConfig cfg, boolean dryRun, boolean fullResync) {
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
            .progress(progress)
            .build();
    SyncReport report = dryRun ? sync.dryRun() : sync.run();
    progress.done();
    System.out.println(report);
    return report;
  }
}
