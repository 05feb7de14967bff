package io.github.brazeodp.sync.currents.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** One real in-process KRaft broker (controller and broker in one node) for a test class. */
final class Broker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final Admin admin;

  private Broker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
  }

  static Broker start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            // One broker: internal topics with one replica; a joining member is not waited for.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new Broker(cluster);
  }

  String servers() {
    return cluster.bootstrapServers();
  }

  Admin admin() {
    return admin;
  }

  void createTopic(String name, int partitions, Map<String, String> config)
      throws ExecutionException, InterruptedException {
    admin
        .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)))
        .all()
        .get();
  }

  @Override
  public void close() throws Exception {
    admin.close();
    cluster.close();
  }
}
