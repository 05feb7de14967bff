package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.ExportedUser;
import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.DemoWorld;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The host end to end over real HTTP: the demo's three flows, and the activate command. */
class CliEndToEndTest {
  @TempDir Path dir;

  private final InMemoryBraze braze = new InMemoryBraze();
  private final InMemoryOdp odp = new InMemoryOdp();
  private final DemoWorld world = DemoWorld.seed(braze, odp, 42);

  @Test
  void theDemoRunsTheThreeFlowsAndEachSandboxReceivesItsShare() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Path state = dir.resolve("state.db");
    Path inspect = dir.resolve("inspect.jsonl");
    int code =
        DemoCommand.run(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            braze,
            odp,
            world,
            state,
            inspect);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();

    // 1. Segment sync: every Braze user is an ODP customer carrying its Braze ids.
    ExportedUser ten = braze.user("demo-00010");
    assertThat(odp.customers()).hasSize(DemoWorld.USERS);
    assertThat(odp.customer("email", ten.email()))
        .containsEntry("_braze_external_id", "cust-00010")
        .containsEntry("_braze_braze_id", "demo-00010");

    // 2. Currents: three events, delivered twice, forwarded once each, identified by the map.
    List<OdpEvent> currents =
        odp.events().stream().filter(e -> e.data().containsKey("_braze_event_type")).toList();
    assertThat(currents)
        .extracting(e -> e.data().get("_braze_event_type"))
        .containsExactlyInAnyOrder(
            "users.messages.email.Open", "users.behaviors.CustomEvent", "users.behaviors.Purchase");
    assertThat(currents.stream().map(OdpEvent::idempotenceId).distinct()).hasSize(3);
    OdpEvent open =
        currents.stream()
            .filter(e -> e.data().get("_braze_event_type").equals("users.messages.email.Open"))
            .findFirst()
            .orElseThrow();
    assertThat(open.identifiers()).containsEntry("email", ten.email());
    assertThat(out).contains("duplicates 3, queued 3, forwarded 3");

    // 3. Activation: each member of the ODP segment triggered once, in calls of at most 50.
    long members =
        odp.customers().values().stream()
            .filter(
                c ->
                    c.get("first_name") != null
                        && String.valueOf(c.get("email")).endsWith("@example.com"))
            .count();
    assertThat(members).isPositive();
    List<InMemoryBraze.Trigger> welcome =
        braze.triggers().stream().filter(t -> t.id().equals(world.campaignId())).toList();
    List<Recipient> recipients =
        welcome.stream().flatMap(t -> t.send().recipients().stream()).toList();
    assertThat(welcome)
        .allSatisfy(
            t -> {
              assertThat(t.id()).isEqualTo(world.campaignId());
              assertThat(t.send().recipients()).hasSizeLessThanOrEqualTo(50);
            });
    assertThat(recipients).hasSize((int) members);
    assertThat(recipients.stream().map(Recipient::describe).distinct()).hasSize((int) members);

    // 4. Event activation: each ODP purchase, read back through /v3/exports, triggers the
    // thank-you campaign once and becomes one odp_purchase custom event with its properties.
    List<Recipient> thanked =
        braze.triggers().stream()
            .filter(t -> t.id().equals(DemoWorld.PURCHASE_CAMPAIGN))
            .flatMap(t -> t.send().recipients().stream())
            .toList();
    assertThat(thanked).hasSize(DemoWorld.PURCHASES);
    assertThat(thanked)
        .extracting(r -> r.properties().get("order_id"))
        .containsExactlyInAnyOrder("ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005");
    List<TrackEvent> purchases =
        braze.tracked().stream()
            .flatMap(r -> r.events().stream())
            .filter(e -> e.name().equals("odp_purchase"))
            .toList();
    assertThat(purchases).hasSize(DemoWorld.PURCHASES);
    TrackEvent first =
        purchases.stream()
            .filter(e -> "ORD-1001".equals(e.properties().get("order_id")))
            .findFirst()
            .orElseThrow();
    assertThat(first.properties()).containsEntry("total", "20.0").containsEntry("currency", "EUR");
    OdpEvent order =
        odp.events().stream()
            .filter(e -> e.idempotenceId().equals("demo-order-1001"))
            .findFirst()
            .orElseThrow();
    assertThat(first.time().toInstant()).isEqualTo(order.ts());
    assertThat(out).contains("next window (nothing is sent twice)");
    assertThat(inspected(inspect)).contains("/v3/exports");

    try (SyncStateStore store = SyncStateStore.sqlite(state)) {
      assertThat(store.recentActivity(10))
          .extracting(ActivityRecord::flow)
          .contains(
              ActivityRecord.Flow.SEGMENT_SYNC,
              ActivityRecord.Flow.CURRENTS,
              ActivityRecord.Flow.ACTIVATION);
      assertThat(store.outboxSize().messages()).isZero();
    }
    String inspected = inspected(inspect);
    assertThat(inspected).contains("/currents").contains("/campaigns/trigger/send");
    assertThat(inspected).doesNotContain("sandbox-odp-key");
  }

  @Test
  void activateRunsOneOccurrenceAgainstTheSandboxesThroughAConfigFile() throws Exception {
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(braze);
        OdpSandbox odpSandbox = new OdpSandbox(odp)) {
      Path config =
          config(brazeSandbox, odpSandbox, "{\"campaign\": \"" + world.campaignId() + "\"}");
      Map<String, String> env =
          Map.of("BRAZE_KEY", brazeSandbox.apiKey(), "ODP_KEY", odpSandbox.apiKey());
      Function<String, String> lookup = env::get;

      assertThat(
              Main.run(
                  lookup,
                  "activate",
                  "--config",
                  config.toString(),
                  "--name",
                  "welcome",
                  "--dry-run"))
          .isZero();
      assertThat(braze.triggers()).isEmpty();

      String[] run = {
        "activate",
        "--config",
        config.toString(),
        "--name",
        "welcome",
        "--occurrence",
        "2026-11-29-test"
      };
      assertThat(Main.run(lookup, run)).isZero();
      List<Recipient> first = recipients();
      assertThat(first).isNotEmpty();
      assertThat(first)
          .allSatisfy(
              r -> {
                assertThat(r.email()).endsWith("@example.com");
                assertThat(String.valueOf(r.attributes().get("odp_country"))).matches("[A-Z]{2}");
                assertThat(String.valueOf(r.properties().get("greeting"))).startsWith("Hello ");
              });

      // The same occurrence again: the ledger keeps everyone from being messaged twice.
      assertThat(Main.run(lookup, run)).isZero();
      assertThat(recipients()).hasSameSizeAs(first);

      // No --occurrence: the schedule's latest due run, a different occurrence, so sends again.
      assertThat(Main.run(lookup, "activate", "--config", config.toString(), "--name", "welcome"))
          .isZero();
      assertThat(recipients()).hasSize(first.size() * 2);
      try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
        assertThat(store.recentActivity(ActivityRecord.Flow.ACTIVATION, 10)).hasSize(3);
      }

      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CommandLine cli = Main.commandLine(lookup);
      cli.setErr(
          new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
      assertThat(cli.execute("activate", "--config", config.toString(), "--name", "nope"))
          .isEqualTo(64);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("no activation named \"nope\"");
    }
  }

  @Test
  void aBadActivationConfigExitsWith64AndNamesTheKey() throws Exception {
    try (BrazeSandbox brazeSandbox = new BrazeSandbox(braze);
        OdpSandbox odpSandbox = new OdpSandbox(odp)) {
      Path config = config(brazeSandbox, odpSandbox, "{\"campaign\": \"c\", \"canvas\": \"v\"}");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CommandLine cli = Main.commandLine(Map.of("BRAZE_KEY", "k", "ODP_KEY", "k")::get);
      cli.setErr(
          new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
      assertThat(cli.execute("activate", "--config", config.toString(), "--name", "welcome"))
          .isEqualTo(64);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("configuration error: activations[0].touchpoint needs exactly one of");
      assertThat(cli.execute("daemon", "--config", config.toString())).isEqualTo(64);
      assertThat(cli.execute("currents-receiver", "--config", config.toString())).isEqualTo(64);
      assertThat(braze.triggers()).isEmpty();
    }
  }

  private static String inspected(Path inspect) throws Exception {
    return Files.readString(inspect);
  }

  private List<Recipient> recipients() {
    return braze.triggers().stream()
        .flatMap(t -> t.send().recipients().stream())
        .collect(Collectors.toList());
  }

  private Path config(BrazeSandbox brazeSandbox, OdpSandbox odpSandbox, String touchpoint)
      throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
          "state": {"sqlite": "%s"},
          "activations": [{
            "name": "welcome",
            "segment": "%s",
            "schedule": {"start": "2026-01-01T00:00", "zone": "UTC", "every": 1, "unit": "DAYS"},
            "target": {"email": true},
            "touchpoint": %s,
            "fields": {"odp_country": "{{ customer.country | upcase }}"},
            "properties": {"greeting": "Hello {{ customer.first_name | default: \\"there\\" }}"}
          }]
        }
        """
            .formatted(
                brazeSandbox.baseUrl(),
                odpSandbox.baseUrl(),
                dir.resolve("state.db").toString().replace("\\", "\\\\"),
                world.odpSegment(),
                touchpoint));
    return file;
  }
}
