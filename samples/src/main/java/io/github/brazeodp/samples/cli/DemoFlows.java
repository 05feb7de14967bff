package io.github.brazeodp.samples.cli;

import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.activation.Activation;
import io.github.brazeodp.sync.activation.ActivationRunner;
import io.github.brazeodp.sync.activation.Schedule;
import io.github.brazeodp.sync.activation.TargetIdentifier;
import io.github.brazeodp.sync.activation.Touchpoint;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The demo's Currents and activation steps. */
final class DemoFlows {
  private DemoFlows() {}

  static int currents(PrintStream out, Host host, InMemoryOdp odp) {
    return ExitCodes.OK;
  }

  static int activation(PrintStream out, Host host, InMemoryBraze braze, DemoWorld world) {
    out.println("3. Activation (ODP -> Braze): segment " + world.odpSegment() + " -> campaign");
    Activation welcome =
        Activation.builder("demo-welcome")
            .segment(world.odpSegment())
            .schedule(
                Schedule.recurring(LocalDateTime.of(2026, 1, 1, 9, 0), ZoneId.of("Europe/Paris"))
                    .daily(1)
                    .build())
            .target(TargetIdentifier.externalId("_braze_external_id"))
            .touchpoint(Touchpoint.campaign(world.campaignId()))
            .field("first_name", "{{ customer.first_name | default: \"there\" }}")
            .field("odp_country", "{{ customer.country | upcase }}")
            .build();
    welcome.validate(host.odpGateway);
    ActivationRunner runner =
        ActivationRunner.builder()
            .braze(host.brazeGateway)
            .odp(host.odpGateway)
            .state(host.state)
            .build();
    String occurrence = "demo-" + LocalDate.now(ZoneOffset.UTC);
    SyncReport first = runner.run(welcome, occurrence);
    out.println("   " + first);
    SyncReport again = runner.run(welcome, occurrence);
    out.println("   rerun of the same occurrence (nothing is sent twice): " + again);
    long recipients = braze.triggers().stream().mapToLong(t -> t.send().recipients().size()).sum();
    out.printf(
        "   Braze received %,d trigger calls for %,d recipients%n%n",
        braze.triggers().size(), recipients);
    return ExitCodes.worst(ExitCodes.of(first), ExitCodes.of(again));
  }
}
