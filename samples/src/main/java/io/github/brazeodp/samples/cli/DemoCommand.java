package io.github.brazeodp.samples.cli;

import io.github.brazeodp.braze.TrackLimit;
import io.github.brazeodp.odp.ExportPolling;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.segments.SegmentSync;
import io.github.brazeodp.sync.segments.Selection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The offline demo: local Braze and ODP sandboxes with a seeded world, then every flow over real
 * HTTP through the real clients, then the activity log.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs all three flows offline against local Braze and ODP sandboxes and prints the"
            + " activity log.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--inspect", description = "Write redacted API exchanges as JSON lines here.")
  Path inspect;

  @Option(
      names = "--state",
      description = "State file (default: a new file in a temporary folder).")
  Path state;

  @Override
  public Integer call() throws IOException {
    Path stateFile =
        state != null ? state : Files.createTempDirectory("braze-odp-demo").resolve("state.db");
    InMemoryBraze brazeFake = new InMemoryBraze();
    InMemoryOdp odpFake = new InMemoryOdp();
    DemoWorld world = DemoWorld.seed(brazeFake, odpFake, 42);
    return run(System.out, brazeFake, odpFake, world, stateFile, inspect);
  }

  /**
   * Runs the demo over {@code brazeFake} and {@code odpFake} (seeded with {@code world}) served by
   * sandboxes on random ports; tests call it to inspect what each sandbox received.
   */
  static int run(
      PrintStream out,
      InMemoryBraze brazeFake,
      InMemoryOdp odpFake,
      DemoWorld world,
      Path stateFile,
      Path inspect) {
    int code = ExitCodes.OK;
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(brazeFake);
        OdpSandbox odpSandbox = new OdpSandbox(odpFake);
        Host host =
            Host.open(
                brazeSandbox.apiKey(),
                brazeSandbox.baseUrl(),
                TrackLimit.COMBINED_50,
                odpSandbox.apiKey(),
                null,
                odpSandbox.baseUrl(),
                new ExportPolling(
                    Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(2)),
                stateFile,
                inspect)) {
      out.printf(
          "Braze sandbox %s: %,d users in %d segments, campaign %s, Canvas %s%n",
          brazeSandbox.baseUrl(),
          world.users(),
          world.segmentIds().size(),
          world.campaignId(),
          world.canvasId());
      out.printf(
          "ODP sandbox   %s: %,d customers, segment %s%n%n",
          odpSandbox.baseUrl(), world.odpCustomers(), world.odpSegment());

      out.println("1. Segment sync (Braze -> ODP), all segments");
      Progress progress = Progress.forConsole(out);
      SyncReport sync =
          SegmentSync.builder()
              .braze(host.brazeGateway)
              .odp(host.odpGateway)
              .state(host.state)
              .selection(Selection.all())
              .createMissingFields(true)
              .progress(progress)
              .build()
              .run();
      progress.done();
      out.println("   " + sync);
      out.printf(
          "   ODP now holds %,d customers and %,d events from Braze%n%n",
          odpFake.customers().size(), odpFake.events().size());
      code = ExitCodes.worst(code, ExitCodes.of(sync));

      code = ExitCodes.worst(code, DemoFlows.currents(out, host, brazeFake));
      code = ExitCodes.worst(code, DemoFlows.activation(out, host, brazeFake, world));
      code = ExitCodes.worst(code, DemoFlows.eventActivation(out, host, brazeFake, odpFake, world));

      out.println("Activity log:");
      ActivityTable.print(out, host.state.recentActivity(10));
    }
    out.println();
    out.println("State file: " + stateFile.toAbsolutePath());
    if (inspect != null) {
      out.println("Inspected exchanges: " + inspect.toAbsolutePath());
    }
    out.println(
        "Show it again with: java -jar samples/target/braze-odp-sync.jar activity --state "
            + stateFile.toAbsolutePath());
    return code;
  }
}
