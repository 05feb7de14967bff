package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.braze.Recipient;
import io.github.brazeodp.braze.TrackEvent;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import io.github.brazeodp.sync.state.ActivityRecord;
import io.github.brazeodp.sync.state.LedgerState;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Event-enrolled activations through the host: {@code activate --since}, and {@code ledger}. */
class EventActivationCliTest {
  @TempDir Path dir;

  private final InMemoryBraze braze = new InMemoryBraze().putCampaign("thanks");
  private final InMemoryOdp odp = new InMemoryOdp();

  private void purchase(String id, String email, Instant ts, String coupon) {
    OdpEvent.Builder b =
        OdpEvent.builder("order", "purchase")
            .identifier("email", email)
            .data("order_id", "O-" + id)
            .ts(ts)
            .idempotenceId(id);
    if (coupon != null) {
      b.data("coupon", coupon);
    }
    odp.putEvent(b.build());
  }

  private Path config(BrazeSandbox b, OdpSandbox o, String property) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        """
        {
          "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
          "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
          "state": {"sqlite": "%s"},
          "activations": [{
            "name": "buyers",
            "event": {"type": "order", "action": "purchase", "pollInterval": "PT1M",
                      "pollOverlap": "PT10M"},
            "target": {"email": true},
            "touchpoint": {"campaign": "thanks"},
            "properties": {"order": "%s", "coupon": "{{ event.data.coupon }}"},
            "customEvent": {"name": "odp_purchase",
                            "properties": {"order_id": "{{ event.data.order_id }}"}}
          }]
        }
        """
            .formatted(
                b.baseUrl(),
                o.baseUrl(),
                dir.resolve("state.db").toString().replace("\\", "\\\\"),
                property));
    return file;
  }

  private static int run(Function<String, String> env, ByteArrayOutputStream err, String... args) {
    CommandLine cli = Main.commandLine(env);
    cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    return cli.execute(args);
  }

  @Test
  void activateSinceRunsOnePollWindowAndNothingIsSentTwice() throws Exception {
    Instant now = Instant.now();
    purchase("1", "a@example.com", now.minusSeconds(120), "SPRING");
    purchase("2", "b@example.com", now.minusSeconds(60), null);
    try (BrazeSandbox b = new BrazeSandbox(braze);
        OdpSandbox o = new OdpSandbox(odp)) {
      Path config = config(b, o, "{{ event.data.order_id }}");
      Function<String, String> env = Map.of("BRAZE_KEY", b.apiKey(), "ODP_KEY", o.apiKey())::get;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream stdout = System.out;
      int code;
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        code =
            Main.run(
                env,
                "activate",
                "--config",
                config.toString(),
                "--name",
                "buyers",
                "--since",
                "PT10M");
      } finally {
        System.setOut(stdout);
      }
      assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("read 2, already fed 0, fed 2");

      List<Recipient> sent =
          braze.triggers().stream().flatMap(t -> t.send().recipients().stream()).toList();
      assertThat(sent)
          .extracting(Recipient::email)
          .containsExactlyInAnyOrder("a@example.com", "b@example.com");
      Recipient b2 = sent.stream().filter(r -> r.email().equals("b@example.com")).findFirst().get();
      // No coupon on b's order: the property is left out, never sent as "".
      assertThat(b2.properties()).containsEntry("order", "O-2").doesNotContainKey("coupon");
      List<TrackEvent> custom = braze.tracked().stream().flatMap(r -> r.events().stream()).toList();
      assertThat(custom).extracting(TrackEvent::name).containsOnly("odp_purchase").hasSize(2);

      // The same period again (a replay), plus one new late event: only the new one goes out.
      purchase("3", "c@example.com", now.minusSeconds(90), null);
      assertThat(
              Main.run(
                  env,
                  "activate",
                  "--config",
                  config.toString(),
                  "--name",
                  "buyers",
                  "--since",
                  "PT10M"))
          .isZero();
      assertThat(braze.triggers().stream().mapToLong(t -> t.send().recipients().size()).sum())
          .isEqualTo(3);
      assertThat(braze.tracked().stream().mapToLong(r -> r.events().size()).sum()).isEqualTo(3);

      // The stored watermark: a plain poll reads the overlap again and feeds nothing new.
      assertThat(Main.run(env, "activate", "--config", config.toString(), "--name", "buyers"))
          .isZero();
      assertThat(braze.triggers().stream().mapToLong(t -> t.send().recipients().size()).sum())
          .isEqualTo(3);
      try (SyncStateStore store = SyncStateStore.sqlite(dir.resolve("state.db"))) {
        assertThat(store.recentActivity(ActivityRecord.Flow.ACTIVATION, 10)).hasSizeBetween(2, 3);
      }
    }
  }

  @Test
  void theDaemonPollsEventEnrolledActivations() throws Exception {
    odp.putEventField("coupon");
    purchase("1", "a@example.com", Instant.now().minusSeconds(30), null);
    try (BrazeSandbox b = new BrazeSandbox(braze);
        OdpSandbox o = new OdpSandbox(odp)) {
      Path config = config(b, o, "{{ event.data.order_id }}");
      HostConfig cfg =
          HostConfig.load(config, Map.of("BRAZE_KEY", b.apiKey(), "ODP_KEY", o.apiKey())::get);
      String lines;
      try (HostLogCapture log = new HostLogCapture()) {
        try (Host host = Host.open(cfg, null);
            HostDaemon daemon =
                HostDaemon.start(host, cfg, java.time.Clock.systemUTC(), new Log())) {
          long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
          while (braze.tracked().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
          }
        }
        lines = log.text();
      }
      assertThat(lines)
          .contains("activation buyers: event-enrolled; polling ODP events every PT1M")
          .contains("read 1, already fed 0, fed 1");
      assertThat(braze.triggers()).hasSize(1);
      assertThat(braze.tracked().stream().mapToLong(r -> r.events().size()).sum()).isEqualTo(1);
    }
  }

  @Test
  void aTemplateOverAnUnknownEventFieldExits64NamingTheActivation() throws Exception {
    purchase("1", "a@example.com", Instant.now().minusSeconds(30), null);
    try (BrazeSandbox b = new BrazeSandbox(braze);
        OdpSandbox o = new OdpSandbox(odp)) {
      Path config = config(b, o, "{{ event.data.order_nr }}");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          run(
              Map.of("BRAZE_KEY", b.apiKey(), "ODP_KEY", o.apiKey())::get,
              err,
              "activate",
              "--config",
              config.toString(),
              "--name",
              "buyers",
              "--since",
              "PT5M");
      assertThat(code).isEqualTo(64);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("activation buyers")
          .contains("unknown ODP event field \"order_nr\"");
      assertThat(braze.triggers()).isEmpty();
    }
  }

  @Test
  void aSegmentTemplateOverAnUnknownCustomerFieldExits64() throws Exception {
    odp.putSegment("everyone", c -> true);
    odp.putCustomer(Map.of("email", "a@example.com"));
    try (BrazeSandbox b = new BrazeSandbox(braze);
        OdpSandbox o = new OdpSandbox(odp)) {
      Path config = dir.resolve("segment.json");
      Files.writeString(
          config,
          """
          {"braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
           "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
           "state": {"sqlite": "%s"},
           "activations": [{"name": "seg", "segment": "everyone", "target": {"email": true},
             "touchpoint": {"campaign": "thanks"},
             "fields": {"tier": "{{ customer.loyalty_tierr }}"}}]}
          """
              .formatted(
                  b.baseUrl(),
                  o.baseUrl(),
                  dir.resolve("seg.db").toString().replace("\\", "\\\\")));
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          run(
              Map.of("BRAZE_KEY", b.apiKey(), "ODP_KEY", o.apiKey())::get,
              err,
              "activate",
              "--config",
              config.toString(),
              "--name",
              "seg");
      assertThat(code).isEqualTo(64);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("configuration error")
          .contains("unknown ODP customer field \"loyalty_tierr\"");
      assertThat(braze.triggers()).isEmpty();
    }
  }

  @Test
  void ledgerListsUnknownOutcomesAndMarksThem() throws Exception {
    Path state = dir.resolve("ledger.db");
    // The ledger key of an email target, as the ledger command lists it.
    String key = "email:a@example.com";
    try (SyncStateStore store = SyncStateStore.sqlite(state)) {
      Instant t = Instant.parse("2026-12-01T10:00:00Z");
      store.transaction(
          tx -> {
            tx.recordPending("buyers", "event:e1", List.of(key), t);
            tx.markOutcome(
                "buyers", "event:e1", List.of(key), LedgerState.UNKNOWN, null, "timeout", t);
            tx.recordPending("buyers", "event:e2", List.of(key), t);
            tx.markOutcome("buyers", "event:e2", List.of(key), LedgerState.SENT, "d", null, t);
          });
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LedgerCommand list = new LedgerCommand();
    CommandLine cli = new CommandLine(list);
    list.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertThat(cli.execute("--state", state.toString(), "--name", "buyers")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("event:e1\t" + key + "\tUNKNOWN")
        .contains("timeout")
        .doesNotContain("event:e2");

    Function<String, String> noEnv = k -> null;
    assertThat(
            run(
                noEnv,
                err,
                "ledger",
                "--state",
                state.toString(),
                "--name",
                "buyers",
                "--occurrence",
                "event:e1",
                "--customer",
                key,
                "--mark-not-sent"))
        .isZero();
    try (SyncStateStore store = SyncStateStore.sqlite(state)) {
      assertThat(store.ledgerEntry("buyers", "event:e1", key).orElseThrow().state())
          .isEqualTo(LedgerState.FAILED);
    }
    // Marking a customer the occurrence never claimed is refused with 64, naming it.
    assertThat(
            run(
                noEnv,
                err,
                "ledger",
                "--state",
                state.toString(),
                "--name",
                "buyers",
                "--occurrence",
                "event:e9",
                "--customer",
                key,
                "--mark-sent"))
        .isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("occurrence event:e9");
  }
}
