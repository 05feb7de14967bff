package io.github.brazeodp.sync.currents.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Client settings shared by the sink and the forwarder; the guarantees' settings are fixed. */
final class KafkaConfig {
  /** The header holding the Currents id of a record (the ODP idempotence id). */
  static final String ID_HEADER = "currents-id";

  /** The header holding why a record was dead-lettered. */
  static final String REASON_HEADER = "dlq-reason";

  /** The header naming where a dead-lettered record came from: topic-partition@offset. */
  static final String SOURCE_HEADER = "dlq-source";

  /** The header holding when a record was dead-lettered, ISO-8601. */
  static final String TIME_HEADER = "dlq-time";

  /**
   * Settings the hand-off's guarantees rest on; a passed-through property may not change them (the
   * serializers are the code's own business).
   */
  private static final Set<String> FIXED =
      Set.of(
          "bootstrap.servers",
          "acks",
          "enable.idempotence",
          "enable.auto.commit",
          "auto.offset.reset",
          "group.id",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer");

  private KafkaConfig() {}

  /** Checks a property map (security settings and tuning) and copies it. */
  static Map<String, String> properties(Map<String, String> properties) {
    Objects.requireNonNull(properties, "properties");
    Map<String, String> copy = new HashMap<>();
    properties.forEach(
        (k, v) -> {
          if (k == null || k.isBlank()) {
            throw new IllegalArgumentException("properties: a property name is blank");
          }
          if (v == null) {
            throw new IllegalArgumentException("properties." + k + ": the value is null");
          }
          if (FIXED.contains(k.strip().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                "properties."
                    + k
                    + ": set by the hand-off itself and not to be overridden (was "
                    + v
                    + ")");
          }
          copy.put(k.strip(), v);
        });
    return copy;
  }

  static String bootstrapServers(String servers) {
    if (servers == null || servers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrapServers must name at least one host:port, was " + servers);
    }
    for (String s : servers.split(",", -1)) {
      String hostPort = s.strip();
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1 || !digits(hostPort.substring(colon + 1))) {
        throw new IllegalArgumentException(
            "bootstrapServers must be host:port[,host:port...], was " + servers);
      }
    }
    return servers.strip();
  }

  /** Kafka topic names: 1 to 249 of {@code [a-zA-Z0-9._-]}. */
  static String topic(String topic, String name) {
    if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.matches("\\.+")) {
      throw new IllegalArgumentException(
          name + " must be 1 to 249 characters of a-z A-Z 0-9 . _ -, was " + topic);
    }
    return topic;
  }

  /** Reads a millisecond setting, naming it when a passed-through value is not a number. */
  static long millis(Map<String, Object> config, String key) {
    String v = String.valueOf(config.get(key)).strip();
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "properties." + key + " must be milliseconds, was " + v, e);
    }
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
