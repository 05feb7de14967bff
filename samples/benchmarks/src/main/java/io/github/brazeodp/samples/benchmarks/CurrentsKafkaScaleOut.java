package io.github.brazeodp.samples.benchmarks;

import io.github.brazeodp.odp.BatchResult;
import io.github.brazeodp.odp.ExportRow;
import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.odp.ProfileUpdate;
import io.github.brazeodp.odp.RowStatus;
import io.github.brazeodp.odp.SchemaField;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.currents.CurrentsReceiver;
import io.github.brazeodp.sync.currents.CurrentsResponse;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsForwarder;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsSink;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Currents hand-off throughput, in one run: the SQLite outbox path (receiver and forwarder on one
 * state file) beside the Kafka path (receivers append to a real in-process KRaft broker, one and
 * then two {@link KafkaCurrentsForwarder} members deliver, de-duplicating through a SQLite store).
 * Four client threads post batches of 100 events straight to {@link CurrentsReceiver#handle} (no
 * HTTP: {@link CurrentsLoad} measures that part); the ODP stand-in accepts everything after an
 * optional simulated round trip per request.
 *
 * <p>Reports, per mode, events acknowledged per second (until the last post was answered) and
 * delivered per second (until the stand-in had every event). Broker, clients and forwarders share
 * the machine's cores, so on a small machine the Kafka figures are a floor, not a cluster's.
 *
 * <pre>java -cp samples/benchmarks/target/benchmarks.jar \
 *   io.github.brazeodp.samples.benchmarks.CurrentsKafkaScaleOut [events] [odpRttMillis]</pre>
 *
 * Defaults: 100,000 events per mode, 0 ms simulated ODP round trip (20 shows an I/O-bound ODP).
 */
public final class CurrentsKafkaScaleOut {
  private static final String TOKEN = "YmVuY2gtdG9rZW4tZm9yLWthZmth";
  private static final int PER_POST = 100;
  private static final int CLIENTS = 4;

  private CurrentsKafkaScaleOut() {}

  /**
   * Runs the three modes.
   *
   * @param args events per mode, simulated ODP round trip in milliseconds
   * @throws Exception if a mode cannot run
   */
  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rttMillis = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    System.out.printf(
        "Currents hand-off, %,d events per mode, %d client threads, batches of %d, simulated ODP"
            + " round trip %d ms, %d cores%n",
        events, CLIENTS, PER_POST, rttMillis, Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("currents-kafka-bench");
    report("SQLite outbox, 1 forwarder", sqliteOutbox(dir.resolve("outbox.db"), events, rttMillis));
    try (KafkaClusterTestKit cluster = broker();
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      for (int members : new int[] {1, 2}) {
        String topic = "bench-" + members;
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, 4, (short) 1), new NewTopic(topic + "-dlq", 1, (short) 1)))
            .all()
            .get();
        report(
            "Kafka, " + members + " forwarder" + (members > 1 ? "s" : ""),
            kafka(
                cluster.bootstrapServers(),
                topic,
                dir.resolve(topic + ".db"),
                members,
                events,
                rttMillis));
      }
    }
  }

  record Result(double ackPerSecond, double deliveredPerSecond, long odpRequests) {}

  private static void report(String mode, Result r) {
    System.out.printf(
        "%-28s acknowledged %,9.0f events/s   delivered %,9.0f events/s   (%,d ODP requests)%n",
        mode, r.ackPerSecond, r.deliveredPerSecond, r.odpRequests);
  }

  private static Result sqliteOutbox(Path file, int events, int rtt) throws Exception {
    RecordingOdp odp = new RecordingOdp(rtt);
    try (SyncStateStore store = SyncStateStore.sqlite(file);
        CurrentsForwarder forwarder =
            CurrentsForwarder.builder()
                .odp(odp)
                .state(store)
                .pollInterval(Duration.ofMillis(50))
                .build()) {
      CurrentsReceiver receiver =
          CurrentsReceiver.builder()
              .tokens(TOKEN)
              .forwarder(forwarder)
              .maxOutbox(10_000_000, Long.MAX_VALUE / 2)
              .build();
      forwarder.start();
      return run(List.of(receiver), odp, events);
    }
  }

  private static Result kafka(
      String servers, String topic, Path file, int members, int events, int rtt) throws Exception {
    RecordingOdp odp = new RecordingOdp(rtt);
    List<KafkaCurrentsForwarder> group = new ArrayList<>();
    try (SyncStateStore store = SyncStateStore.sqlite(file);
        KafkaCurrentsSink sink =
            KafkaCurrentsSink.builder().bootstrapServers(servers).topic(topic).build()) {
      for (int i = 0; i < members; i++) {
        group.add(
            KafkaCurrentsForwarder.builder()
                .bootstrapServers(servers)
                .topic(topic)
                .dlqTopic(topic + "-dlq")
                .groupId("bench-" + topic)
                .name("m" + i)
                .odp(odp)
                .state(store)
                .pollTimeout(Duration.ofMillis(100))
                .build());
      }
      group.forEach(KafkaCurrentsForwarder::start);
      CurrentsForwarder lender = CurrentsForwarder.builder().odp(odp).state(store).build();
      CurrentsReceiver receiver =
          CurrentsReceiver.builder().tokens(TOKEN).forwarder(lender).sink(sink).build();
      return run(List.of(receiver), odp, events);
    } finally {
      group.forEach(KafkaCurrentsForwarder::close);
    }
  }

  private static Result run(List<CurrentsReceiver> receivers, RecordingOdp odp, int events)
      throws Exception {
    int posts = events / PER_POST;
    AtomicInteger next = new AtomicInteger();
    Map<String, List<String>> headers =
        Map.of(
            "Authorization", List.of("Bearer " + TOKEN),
            "Braze-Currents-Version", List.of("1"),
            "Content-Type", List.of("application/json"));
    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      running.add(
          clients.submit(
              () -> {
                for (int n; (n = next.getAndIncrement()) < posts; ) {
                  byte[] body = body(n);
                  CurrentsReceiver r = receivers.get(n % receivers.size());
                  CurrentsResponse resp;
                  while ((resp = r.handle(headers, body)).status() != 200) {
                    if (resp.status() != 503) {
                      throw new IllegalStateException(resp.status() + " " + resp.body());
                    }
                    Thread.sleep(10);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    clients.shutdown();
    long acked = System.nanoTime();
    long deadline = acked + Duration.ofMinutes(10).toNanos();
    while (odp.ids.size() < posts * PER_POST && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long delivered = System.nanoTime();
    if (odp.ids.size() < posts * PER_POST) {
      throw new IllegalStateException(
          "only " + odp.ids.size() + " of " + posts * PER_POST + " events delivered in 10 min");
    }
    return new Result(
        posts * PER_POST / ((acked - start) / 1e9),
        posts * PER_POST / ((delivered - start) / 1e9),
        odp.requests.get());
  }

  private static byte[] body(int post) {
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = 0; i < PER_POST; i++) {
      String id = "ev-" + post + "-" + i;
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(id)
          .append("\",\"time\":1733000000,\"user\":{\"user_id\":\"u-")
          .append(post % 5_000)
          .append("\"},\"properties\":{\"email_address\":\"u")
          .append(post % 5_000)
          .append("@example.com\",\"campaign_name\":\"Winter sale\"}}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static KafkaClusterTestKit broker() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  /** Accepts every event after the simulated round trip, recording the distinct ids. */
  private static final class RecordingOdp implements OdpGateway {
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final AtomicInteger requests = new AtomicInteger();
    private final int rttMillis;

    RecordingOdp(int rttMillis) {
      this.rttMillis = rttMillis;
    }

    @Override
    public BatchResult sendEvents(List<OdpEvent> events) {
      if (rttMillis > 0) {
        try {
          Thread.sleep(rttMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      requests.incrementAndGet();
      for (OdpEvent e : events) {
        ids.add(e.idempotenceId());
      }
      return BatchResult.of(Collections.nCopies(events.size(), RowStatus.ACCEPTED), List.of(), 1);
    }

    @Override
    public BatchResult upsertProfiles(List<ProfileUpdate> updates) {
      throw new UnsupportedOperationException("the benchmark sends events only");
    }

    @Override
    public List<SchemaField> customerFields() {
      throw new UnsupportedOperationException("the benchmark sends events only");
    }

    @Override
    public SchemaField createCustomerField(SchemaField field) {
      throw new UnsupportedOperationException("the benchmark sends events only");
    }

    @Override
    public Stream<ExportRow> segmentMembers(String segment, List<String> fields) {
      throw new UnsupportedOperationException("the benchmark sends events only");
    }
  }
}
