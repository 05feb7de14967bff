package io.github.brazeodp.sync.currents.kafka;

import io.github.brazeodp.sync.currents.CurrentsSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends the events a {@link io.github.brazeodp.sync.currents.CurrentsReceiver} accepted to a
 * Kafka topic, keyed by user, with an idempotent producer and {@code acks=all}: {@link #append}
 * returns only when the broker acknowledged every record of the request (so the receiver's 2xx to
 * Braze means the events are replicated), and throws when any record failed (the receiver answers
 * 503 with {@code Retry-After}, Braze resends, the forwarders drop the repeats by Currents id).
 *
 * <p>Record: key the user ({@link CurrentsSink.Event#key()}), value the serialized ODP event
 * (UTF-8), header {@code currents-id}. One producer serves all requests of a receiver, so records
 * of concurrent requests share broker round trips. Thread-safe.
 *
 * <pre>{@code
 * KafkaCurrentsSink sink = KafkaCurrentsSink.builder()
 *     .bootstrapServers("kafka-0:9092").topic("braze-currents")
 *     .properties(Map.of("security.protocol", "SASL_SSL", ...)).build();
 * CurrentsReceiver receiver = CurrentsReceiver.builder()
 *     .tokens(token).forwarder(forwarderNotStarted).sink(sink).build();
 * }</pre>
 */
public final class KafkaCurrentsSink implements CurrentsSink, AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final long waitMillis;

  private KafkaCurrentsSink(Builder b) {
    this.topic = KafkaConfig.topic(b.topic, "topic");
    Map<String, Object> config = new HashMap<>();
    // Bounded so that Braze gets a 503 long before its own request timeout, not a hang.
    config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "25000");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    config.putAll(b.properties);
    config.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaConfig.bootstrapServers(b.bootstrapServers));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.waitMillis =
        KafkaConfig.millis(config, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
            + KafkaConfig.millis(config, ProducerConfig.MAX_BLOCK_MS_CONFIG);
    this.producer = new KafkaProducer<>(config);
  }

  /**
   * Returns a builder; bootstrap servers and topic are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Sends every event and waits until the broker acknowledged all of them.
   *
   * @param events the events of one request
   * @throws KafkaAppendException if any record was not acknowledged (some may have been; the
   *     forwarders drop the repeats of the resent batch)
   */
  @Override
  public void append(List<Event> events) {
    Objects.requireNonNull(events, "events");
    List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
    try {
      for (Event e : events) {
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(topic, e.key(), e.payload().getBytes(StandardCharsets.UTF_8));
        record
            .headers()
            .add(KafkaConfig.ID_HEADER, e.currentsId().getBytes(StandardCharsets.UTF_8));
        sent.add(producer.send(record));
      }
    } catch (KafkaException | IllegalStateException e) {
      // Buffer full past max.block.ms, metadata unavailable, or the producer closed.
      throw new KafkaAppendException(topic, events.size(), e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw new KafkaAppendException(topic, events.size(), e.getCause());
      } catch (TimeoutException e) {
        throw new KafkaAppendException(topic, events.size(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaAppendException(topic, events.size(), e);
      }
    }
  }

  /** Closes the producer, waiting up to 30 s for records in flight. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Closes the producer, waiting at most {@code timeout} for records in flight; with zero, records
   * not yet acknowledged fail at once and their requests get 503.
   *
   * @param timeout the longest wait
   */
  public void close(Duration timeout) {
    producer.close(Objects.requireNonNull(timeout, "timeout"));
  }

  /** Thrown when the broker did not acknowledge every record of a request. */
  public static final class KafkaAppendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KafkaAppendException(String topic, int events, Throwable cause) {
      super(
          "Kafka did not acknowledge every one of "
              + events
              + " events on topic "
              + topic
              + ": "
              + cause,
          cause);
    }
  }

  /** Builds {@link KafkaCurrentsSink}s. */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private Map<String, String> properties = Map.of();

    private Builder() {}

    /**
     * Sets the brokers to connect to (required).
     *
     * @param servers {@code host:port[,host:port...]}
     * @return this builder
     */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = KafkaConfig.bootstrapServers(servers);
      return this;
    }

    /**
     * Sets the topic the events go to (required); create it beforehand with enough partitions for
     * the forwarders you plan (one forwarder per partition at most does work).
     *
     * @param topic the topic
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = KafkaConfig.topic(topic, "topic");
      return this;
    }

    /**
     * Passes producer properties through, for example {@code security.protocol}, {@code
     * sasl.jaas.config}, {@code compression.type} or {@code delivery.timeout.ms}; {@code acks},
     * idempotence, servers and serializers are the sink's own.
     *
     * @param properties Kafka producer properties
     * @return this builder
     * @throws IllegalArgumentException naming a property the sink fixes, or a null value
     */
    public Builder properties(Map<String, String> properties) {
      this.properties = KafkaConfig.properties(properties);
      return this;
    }

    /**
     * Builds the sink and its producer (which connects lazily).
     *
     * @return the sink
     * @throws IllegalArgumentException if servers or topic are missing, or Kafka refuses a property
     */
    public KafkaCurrentsSink build() {
      KafkaConfig.bootstrapServers(bootstrapServers);
      try {
        return new KafkaCurrentsSink(this);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("Kafka producer settings: " + e.getMessage(), e);
      }
    }
  }
}
