package io.github.brazeodp.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.brazeodp.odp.OdpEvent;
import io.github.brazeodp.samples.currents.CurrentsHttpServer;
import io.github.brazeodp.samples.sandbox.BrazeSandbox;
import io.github.brazeodp.samples.sandbox.OdpSandbox;
import io.github.brazeodp.sync.currents.kafka.KafkaCurrentsForwarder;
import io.github.brazeodp.sync.fake.InMemoryBraze;
import io.github.brazeodp.sync.fake.InMemoryOdp;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host with {@code currents.kafka} against a real in-process KRaft broker: the receiver answers
 * Braze's HTTP post after Kafka acknowledged, the {@code currents-forwarder} members built from the
 * same configuration deliver to the ODP sandbox over HTTP, and their {@code /health} reports them.
 */
class CurrentsKafkaHostTest {
  private static final String TOKEN = "a2Fma2EtaG9zdC10b2tlbg";

  @TempDir Path dir;

  @Test
  void theReceiverAppendsToKafkaAndTheForwarderMembersDeliverToOdp() throws Exception {
    InMemoryOdp odp = new InMemoryOdp();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KafkaClusterTestKit cluster = broker();
        Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
        BrazeSandbox brazeSandbox = new BrazeSandbox(new InMemoryBraze());
        OdpSandbox odpSandbox = new OdpSandbox(odp)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("currents", 2, (short) 1),
                  new NewTopic("currents-dlq", 1, (short) 1)))
          .all()
          .get();
      Path config = dir.resolve("config.json");
      Files.writeString(
          config,
          """
          {
            "braze": {"apiKeyEnv": "BRAZE_KEY", "baseUrl": "%s"},
            "odp": {"apiKeyEnv": "ODP_KEY", "baseUrl": "%s"},
            "state": {"sqlite": "%s"},
            "currents": {"port": %d, "tokensEnv": ["CURRENTS_TOKEN"],
                         "kafka": {"bootstrapServers": "%s", "topic": "currents",
                                   "properties": {"linger.ms": 1}}}
          }
          """
              .formatted(
                  brazeSandbox.baseUrl(),
                  odpSandbox.baseUrl(),
                  dir.resolve("state.db").toString().replace("\\", "\\\\"),
                  port,
                  cluster.bootstrapServers()));
      HostConfig cfg =
          HostConfig.load(
              config,
              Map.of(
                      "BRAZE_KEY", brazeSandbox.apiKey(),
                      "ODP_KEY", odpSandbox.apiKey(),
                      "CURRENTS_TOKEN", TOKEN)
                  ::get);
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + port + "/currents");
      try (Host host = Host.open(cfg, null);
          CurrentsService service =
              CurrentsService.start(host, cfg, Duration.ofSeconds(1), false)) {
        HttpResponse<String> first = post(http, uri, "k-", 0, 60);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        // Kafka holds them; the receiver queued nothing in the store outbox.
        assertThat(host.state.outboxSize().messages()).isZero();
        assertThat(delivered(odp)).isEmpty();

        List<KafkaCurrentsForwarder> group =
            CurrentsForwarderCommand.members(cfg.currents().kafka(), host, 2, "test");
        try {
          group.forEach(KafkaCurrentsForwarder::start);
          // Braze's resend of the first post and a new one: each event reaches ODP once.
          assertThat(post(http, uri, "k-", 0, 60).statusCode()).isEqualTo(200);
          assertThat(post(http, uri, "k-", 60, 40).statusCode()).isEqualTo(200);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (delivered(odp).size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(50);
          }
          assertThat(delivered(odp)).hasSize(100);
          assertThat(odp.events().stream().filter(e -> e.idempotenceId().startsWith("k-")))
              .hasSize(100);

          CurrentsHttpServer.Health health =
              CurrentsForwarderCommand.health(host.state, group, Clock.systemUTC());
          assertThat(health.ready()).isTrue();
          assertThat(health.json()).contains("\"status\":\"UP\"", "\"running\":true");
          long forwarded = group.stream().mapToLong(f -> f.stats().forwarded()).sum();
          assertThat(forwarded).isEqualTo(100);
        } finally {
          group.forEach(KafkaCurrentsForwarder::close);
        }
        CurrentsHttpServer.Health stopped =
            CurrentsForwarderCommand.health(host.state, group, Clock.systemUTC());
        assertThat(stopped.ready()).isFalse();
        assertThat(stopped.json()).contains("\"status\":\"DOWN\"", "a member is not running");
      }
    }
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

  private static Set<String> delivered(InMemoryOdp odp) {
    return odp.events().stream()
        .map(OdpEvent::idempotenceId)
        .filter(id -> id != null && id.startsWith("k-"))
        .collect(Collectors.toSet());
  }

  private static HttpResponse<String> post(HttpClient http, URI uri, String prefix, int from, int n)
      throws Exception {
    StringBuilder b = new StringBuilder("{\"events\":[");
    for (int i = from; i < from + n; i++) {
      b.append(i == from ? "" : ",")
          .append("{\"event_type\":\"users.messages.email.Open\",\"id\":\"")
          .append(prefix)
          .append(i)
          .append("\",\"time\":2033802504,\"user\":{\"user_id\":\"b-")
          .append(i % 7)
          .append("\"},\"properties\":{\"email_address\":\"u")
          .append(i % 7)
          .append("@example.com\"}}");
    }
    b.append("]}");
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
