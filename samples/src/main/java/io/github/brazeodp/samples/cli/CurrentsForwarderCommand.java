package io.github.brazeodp.samples.cli;

import com.squareup.moshi.JsonWriter;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.samples.ui.TroubleshootingServer;
import io.github.brazeodp.samples.ui.UiInspector;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsForwarder;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okio.Buffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Runs members of the Currents forwarder group until SIGTERM or SIGINT. */
@Command(
    name = "currents-forwarder",
    mixinStandardHelpOptions = true,
    description = {
      "Delivers the Currents events the receivers appended to Kafka (currents.kafka) to ODP, as"
          + " members of the consumer group currents.kafka.groupId: run as many, on as many hosts,"
          + " as the topic has partitions. Refused events go to currents.kafka.dlqTopic with the"
          + " reason in the dlq-reason header.",
      "With --ui (or ui.port) it serves the troubleshooting page and GET /health (200 while every"
          + " member runs and the store takes writes, else 503). It exits 1 when a member fails,"
          + " so that its supervisor restarts it; on SIGTERM or SIGINT it finishes the batches in"
          + " hand and leaves the group."
    })
final class CurrentsForwarderCommand implements Callable<Integer> {
  static final Duration CHECK_EVERY = Duration.ofSeconds(5);

  @ParentCommand Main main;

  @Option(names = "--config", required = true, description = "JSON configuration file.")
  Path config;

  @Option(names = "--inspect", description = "Write redacted API exchanges here.")
  Path inspect;

  @Option(
      names = "--members",
      defaultValue = "1",
      description = "Group members (threads) in this process (default 1).")
  int members;

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
    HostConfig.Kafka kafka = cfg.currents().kafka();
    if (kafka == null) {
      throw new ConfigException(
          "missing config key currents.kafka: currents-forwarder reads the Kafka topic the"
              + " receivers append to (bootstrapServers, topic)");
    }
    if (members < 1 || members > 64) {
      throw new ConfigException("--members must be from 1 to 64, was " + members);
    }
    InetSocketAddress pageAddress = cfg.ui().address(ui);
    UiInspector pageInspector = Page.inspector(pageAddress);
    Log log = new Log();
    Host host = Host.open(cfg, inspect, pageInspector);
    List<KafkaCurrentsForwarder> group = new ArrayList<>();
    TroubleshootingServer page = null;
    try {
      group.addAll(
          members(kafka, host, members, hostName(main.env) + "-" + ProcessHandle.current().pid()));
      group.forEach(KafkaCurrentsForwarder::start);
      if (pageAddress != null) {
        page =
            Page.start(
                host,
                cfg,
                pageAddress,
                pageInspector,
                () -> health(host.state, group, Clock.systemUTC()),
                "braze-odp-sync Currents forwarder",
                log);
      }
    } catch (RuntimeException e) {
      group.forEach(KafkaCurrentsForwarder::close);
      host.close();
      throw e;
    }
    TroubleshootingServer shownPage = page;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.line("Currents forwarder: stopping");
                  if (shownPage != null) {
                    shownPage.close();
                  }
                  try {
                    group.forEach(KafkaCurrentsForwarder::close);
                    log.line("Currents forwarder: stopped; " + stats(group));
                  } finally {
                    host.close();
                    stopped.countDown();
                  }
                },
                "currents-forwarder-shutdown"));
    log.line(
        "Currents forwarder: "
            + members
            + " member(s) of group "
            + kafka.groupId()
            + " reading "
            + kafka.topic()
            + " at "
            + kafka.bootstrapServers()
            + "; refused events go to "
            + kafka.dlqTopic());
    while (!stopped.await(CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
      for (KafkaCurrentsForwarder f : group) {
        if (f.failure().isPresent()) {
          log.line(
              "Currents forwarder: a member failed ("
                  + f.failure().get()
                  + "); exiting so that the supervisor restarts it (its uncommitted records"
                  + " are read again by the group)");
          return ExitCodes.FAILED;
        }
      }
      if (host.stateClosed()) {
        log.line("Currents forwarder: the state store closed; exiting");
        return ExitCodes.FAILED;
      }
    }
    return ExitCodes.OK;
  }

  /** Builds {@code count} group members over the host's ODP gateway and state store. */
  static List<KafkaCurrentsForwarder> members(
      HostConfig.Kafka kafka, Host host, int count, String namePrefix) {
    List<KafkaCurrentsForwarder> group = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      group.add(
          KafkaCurrentsForwarder.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .topic(kafka.topic())
              .dlqTopic(kafka.dlqTopic())
              .groupId(kafka.groupId())
              .properties(kafka.properties())
              .odp(host.odpGateway)
              .state(host.state)
              .name(namePrefix + "-" + i)
              .build());
    }
    return group;
  }

  private static String stats(List<KafkaCurrentsForwarder> group) {
    long polled = 0;
    long forwarded = 0;
    long skipped = 0;
    long dead = 0;
    for (KafkaCurrentsForwarder f : group) {
      KafkaCurrentsForwarder.Stats s = f.stats();
      polled += s.polled();
      forwarded += s.forwarded();
      skipped += s.duplicatesSkipped();
      dead += s.deadLettered();
    }
    return polled
        + " read, "
        + forwarded
        + " forwarded, "
        + skipped
        + " duplicates skipped, "
        + dead
        + " dead-lettered";
  }

  /** Ready while every member runs and the store takes a write; members listed with counts. */
  static CurrentsHttpServer.Health health(
      SyncStateStore state, List<KafkaCurrentsForwarder> group, Clock clock) {
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>();
    boolean writable = true;
    try {
      state.putLastSuccess("currents-forwarder/health", now);
    } catch (RuntimeException e) {
      writable = false;
      problems.add("the state store takes no writes: " + e.getMessage());
    }
    boolean running = true;
    Buffer buffer = new Buffer();
    try (JsonWriter json = JsonWriter.of(buffer)) {
      json.beginObject();
      json.name("members").beginArray();
      for (KafkaCurrentsForwarder f : group) {
        KafkaCurrentsForwarder.Stats s = f.stats();
        json.beginObject();
        json.name("running").value(f.running());
        json.name("read").value(s.polled());
        json.name("forwarded").value(s.forwarded());
        json.name("duplicates_skipped").value(s.duplicatesSkipped());
        json.name("dead_lettered").value(s.deadLettered());
        json.name("failed_batches").value(s.failedCycles());
        if (f.lastOdpContact().isPresent()) {
          json.name("last_odp_contact").value(f.lastOdpContact().get().toString());
        }
        json.endObject();
        if (!f.running()) {
          running = false;
          problems.add(
              "a member is not running"
                  + f.failure().map(t -> ": " + t).orElse(" (stopping or not started)"));
        }
      }
      json.endArray();
      boolean ready = writable && running;
      json.name("status").value(ready ? "UP" : "DOWN");
      json.name("store").value(writable ? "writable" : "failing");
      if (!problems.isEmpty()) {
        json.name("problems").beginArray();
        for (String p : problems) {
          json.value(p);
        }
        json.endArray();
      }
      json.endObject();
      json.flush();
      return new CurrentsHttpServer.Health(ready, buffer.readUtf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hostName(java.util.function.Function<String, String> env) {
    String pod = env.apply("HOSTNAME");
    if (pod != null && pod.matches("[A-Za-z0-9._-]{1,60}")) {
      return pod;
    }
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name.matches("[A-Za-z0-9._-]{1,60}") ? name : "host";
    } catch (UnknownHostException e) {
      return "host";
    }
  }
}
