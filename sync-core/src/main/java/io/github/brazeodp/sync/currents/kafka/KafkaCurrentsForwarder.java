package io.github.brazeodp.sync.currents.kafka;

import io.github.brazeodp.braze.Sleeper;
import io.github.brazeodp.sync.currents.CurrentsCounts;
import io.github.brazeodp.sync.currents.CurrentsForwarder;
import io.github.brazeodp.sync.port.OdpGateway;
import io.github.brazeodp.sync.state.OutboxMessage;
import io.github.brazeodp.sync.state.SyncStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the consumer group that forwards the Currents topic to ODP: reads batches, drops
 * the Currents ids the group already delivered, sends the rest through the same {@link
 * CurrentsForwarder#deliver} path as the store outbox (requests of at most {@code batchSize}, whole
 * refusals split down to single events), moves the events ODP refuses one by one to the DLQ topic
 * with the reason in the {@code dlq-reason} header, marks what ODP accepted or the DLQ took as
 * delivered, and only then commits the offsets. Run one per thread; start as many as the topic has
 * partitions, on any number of hosts, with one group id.
 *
 * <p>Crash safety: an offset is committed only after its event was accepted or dead-lettered, so a
 * member dying at any point leaves its records to the member that takes its partitions over. Ids
 * are marked delivered after ODP accepted and checked before each send, so the only repeats ODP
 * sees are the events of the one request a member had in flight when it died (ODP receives them
 * with the same idempotence id). The marks live in the {@link SyncStateStore}: shared by every host
 * when the store is PostgreSQL, by every thread of one host on SQLite.
 *
 * <p>When ODP fails past the client's retries, the member goes back to the first offset of the
 * batch and waits (exponential backoff, 1 s to 60 s by default) before reading it again, polling
 * meanwhile so that the group does not evict it. Every {@code housekeeping} interval it also runs
 * one cycle of its {@link CurrentsForwarder}: parked events whose user became known, replayed dead
 * letters and the activity record. Thread-safe; {@link #close()} finishes the batch in hand.
 */
public final class KafkaCurrentsForwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaCurrentsForwarder.class);
  private static final Duration SLEEP_SLICE = Duration.ofMillis(200);

  private final String topic;
  private final String dlqTopic;
  private final String name;
  private final CurrentsForwarder delivery;
  private final DeliveredIds delivered;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration pollTimeout;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration housekeeping;
  private final Duration shutdownTimeout;
  private final Map<String, Object> consumerConfig;
  private final Producer<String, byte[]> dlq;
  private final long dlqWaitMillis;
  private final AtomicLong polled = new AtomicLong();
  private final AtomicLong duplicatesSkipped = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failedCycles = new AtomicLong();
  private volatile boolean stopping;
  private volatile Throwable fatal;
  private volatile Consumer<String, byte[]> consumer;
  private Thread thread;
  private int consecutiveFailures;
  private Instant lastHousekeeping = Instant.MIN;

  private KafkaCurrentsForwarder(Builder b) {
    String servers = KafkaConfig.bootstrapServers(b.bootstrapServers);
    this.topic = KafkaConfig.topic(b.topic, "topic");
    this.dlqTopic = KafkaConfig.topic(b.dlqTopic, "dlqTopic");
    if (topic.equals(dlqTopic)) {
      throw new IllegalArgumentException("dlqTopic must differ from topic, both were " + topic);
    }
    if (b.groupId == null || b.groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank, was " + b.groupId);
    }
    this.name = b.name;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.pollTimeout = b.pollTimeout;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.housekeeping = b.housekeeping;
    this.shutdownTimeout = b.shutdownTimeout;
    this.delivery =
        CurrentsForwarder.builder()
            .odp(Objects.requireNonNull(b.odp, "odp"))
            .state(Objects.requireNonNull(b.state, "state"))
            .batchSize(b.batchSize)
            .clock(b.clock)
            .build();
    this.delivered = new DeliveredIds(b.state, b.dedupeWindow);

    Map<String, Object> consumer = new HashMap<>(b.properties);
    consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
    consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group reads the topic from its start: events appended before any forwarder joined
    // were acknowledged to Braze too.
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(b.batchSize));
    consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumer.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumerConfig = Map.copyOf(consumer);

    Map<String, Object> producer = new HashMap<>();
    producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "25000");
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    producer.putAll(b.properties);
    producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    producer.put(ProducerConfig.CLIENT_ID_CONFIG, name + "-dlq");
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.dlqWaitMillis =
        KafkaConfig.millis(producer, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
            + KafkaConfig.millis(producer, ProducerConfig.MAX_BLOCK_MS_CONFIG);
    this.dlq = new KafkaProducer<>(producer);
  }

  /**
   * Returns a builder; servers, topic, DLQ topic, group id, ODP gateway and state store are
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Joins the group and starts forwarding on a thread of its own.
   *
   * @throws IllegalStateException if started before or closed
   */
  public synchronized void start() {
    if (thread != null || stopping) {
      throw new IllegalStateException("the forwarder " + name + " was started or closed already");
    }
    thread = new Thread(this::run, "currents-kafka-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Returns whether the member is running: started, not closed, and not ended by an error.
   *
   * @return true while forwarding
   */
  public boolean running() {
    Thread t = thread;
    return t != null && t.isAlive() && !stopping && fatal == null;
  }

  /**
   * Returns the error that ended the member, if one did.
   *
   * @return the error, or empty
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(fatal);
  }

  /**
   * Returns when ODP last answered a send, for health checks.
   *
   * @return the instant, or empty before the first answer
   */
  public Optional<Instant> lastOdpContact() {
    return delivery.lastOdpContact();
  }

  /**
   * Returns the ODP-side counters (forwarded, refused, ODP calls) of this member.
   *
   * @return a snapshot
   */
  public CurrentsCounts counts() {
    return delivery.counts();
  }

  /**
   * Returns this member's topic-side counters.
   *
   * @return a snapshot
   */
  public Stats stats() {
    return new Stats(
        polled.get(),
        delivery.counts().forwarded(),
        duplicatesSkipped.get(),
        deadLettered.get(),
        committed.get(),
        failedCycles.get());
  }

  /**
   * What a member did since it started.
   *
   * @param polled records read from the topic
   * @param forwarded events ODP accepted
   * @param duplicatesSkipped records not sent because the group had delivered their id
   * @param deadLettered records moved to the DLQ topic
   * @param committed records whose offsets were committed
   * @param failedCycles batches that ODP or the DLQ failed, read again after a wait
   */
  public record Stats(
      long polled,
      long forwarded,
      long duplicatesSkipped,
      long deadLettered,
      long committed,
      long failedCycles) {}

  /**
   * Leaves the group after the batch in hand (bounded by the shutdown timeout, after which the
   * thread is interrupted and the batch is read again by another member).
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      stopping = true;
      t = thread;
    }
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (t != null) {
      try {
        t.join(shutdownTimeout.toMillis());
        if (t.isAlive()) {
          t.interrupt();
          t.join(shutdownTimeout.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (t == null || !t.isAlive()) {
      dlq.close(Duration.ZERO);
    }
  }

  private void run() {
    try (Consumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig)) {
      consumer = c;
      c.subscribe(List.of(topic));
      while (!stopping) {
        cycle(c);
      }
    } catch (WakeupException | InterruptException e) {
      if (!stopping) {
        fatal = e;
        log.error("Currents Kafka forwarder {} stopped unexpectedly", name, e);
      }
    } catch (RuntimeException | Error e) {
      // Offsets of unfinished records stay uncommitted: another member reads them again.
      fatal = e;
      log.error("Currents Kafka forwarder {} failed and left the group", name, e);
    } finally {
      if (stopping) {
        dlq.close(Duration.ofSeconds(5));
      }
    }
  }

  private void cycle(Consumer<String, byte[]> c) {
    ConsumerRecords<String, byte[]> records = c.poll(pollTimeout);
    housekeep();
    if (records.isEmpty()) {
      return;
    }
    polled.addAndGet(records.count());
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    Map<String, ConsumerRecord<String, byte[]>> byId = new LinkedHashMap<>();
    Map<ConsumerRecord<String, byte[]>, String> dead = new LinkedHashMap<>();
    int repeats = 0;
    for (ConsumerRecord<String, byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      first.putIfAbsent(tp, r.offset());
      next.put(tp, new OffsetAndMetadata(r.offset() + 1));
      String id = header(r, KafkaConfig.ID_HEADER);
      if (id == null || id.isBlank() || r.value() == null) {
        dead.put(r, "no currents-id header or no value: not written by a Currents receiver");
      } else if (byId.putIfAbsent(id, r) != null) {
        repeats++;
      }
    }
    Instant now = clock.instant();
    Set<String> done = delivered.deliveredAmong(byId.keySet(), now);
    List<OutboxMessage> send = new ArrayList<>(byId.size());
    for (Map.Entry<String, ConsumerRecord<String, byte[]>> e : byId.entrySet()) {
      if (!done.contains(e.getKey())) {
        ConsumerRecord<String, byte[]> r = e.getValue();
        send.add(
            new OutboxMessage(
                e.getKey(),
                new String(r.value(), StandardCharsets.UTF_8),
                Instant.ofEpochMilli(Math.max(0, r.timestamp()))));
      }
    }
    List<String> accepted = new ArrayList<>();
    Map<String, String> refused = new LinkedHashMap<>();
    String failure = deliver(send, accepted, refused);
    for (Map.Entry<String, String> e : refused.entrySet()) {
      dead.put(byId.get(e.getKey()), e.getValue());
    }
    boolean dlqOk = deadLetter(dead);
    List<String> finished = new ArrayList<>(accepted);
    if (dlqOk) {
      finished.addAll(refused.keySet());
    }
    // After ODP accepted, never before: a crash before this line only causes a resend.
    delivered.mark(finished, clock.instant());
    duplicatesSkipped.addAndGet(done.size() + repeats);
    if (failure != null || !dlqOk) {
      failedCycles.incrementAndGet();
      consecutiveFailures++;
      for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
        c.seek(e.getKey(), e.getValue());
      }
      Duration wait = backoff(consecutiveFailures);
      log.warn(
          "Currents Kafka forwarder {}: {} ({} in a row); reading the batch again in {} ms",
          name,
          failure != null ? "ODP failed: " + failure : "the DLQ topic failed",
          consecutiveFailures,
          wait.toMillis());
      pause(wait);
      return;
    }
    consecutiveFailures = 0;
    try {
      c.commitSync(next);
      committed.addAndGet(records.count());
    } catch (WakeupException | InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      // A rebalance took the partitions: their new owner reads from the last commit and skips
      // what this batch marked delivered.
      log.info("Currents Kafka forwarder {}: commit not taken ({}); marks cover it", name, e);
    }
  }

  /**
   * Delivers until ODP accepted or refused every event: rows ODP left unconfirmed (the other rows
   * of a request in which it refused one) go again at once, as the outbox would send them next
   * cycle.
   *
   * @return why delivery stopped with events open, or null when none is
   */
  private String deliver(
      List<OutboxMessage> send, List<String> accepted, Map<String, String> refused) {
    List<OutboxMessage> open = send;
    while (!open.isEmpty()) {
      CurrentsForwarder.Delivery d = delivery.deliver(open);
      accepted.addAll(d.accepted());
      refused.putAll(d.refused());
      if (d.failure() != null) {
        return d.failure();
      }
      if (d.accepted().isEmpty() && d.refused().isEmpty()) {
        return "ODP confirmed none of " + open.size() + " events";
      }
      Set<String> settled = new HashSet<>(d.accepted());
      settled.addAll(d.refused().keySet());
      open = open.stream().filter(m -> !settled.contains(m.id())).toList();
    }
    return null;
  }

  /** Sends the records to the DLQ topic and waits for the broker; false if any failed. */
  private boolean deadLetter(Map<ConsumerRecord<String, byte[]>, String> dead) {
    if (dead.isEmpty()) {
      return true;
    }
    String at = clock.instant().toString();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      for (Map.Entry<ConsumerRecord<String, byte[]>, String> e : dead.entrySet()) {
        ConsumerRecord<String, byte[]> r = e.getKey();
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(dlqTopic, r.key(), r.value());
        for (Header h : r.headers()) {
          out.headers().add(h);
        }
        out.headers()
            .add(KafkaConfig.REASON_HEADER, e.getValue().getBytes(StandardCharsets.UTF_8))
            .add(
                KafkaConfig.SOURCE_HEADER,
                (r.topic() + "-" + r.partition() + "@" + r.offset())
                    .getBytes(StandardCharsets.UTF_8))
            .add(KafkaConfig.TIME_HEADER, at.getBytes(StandardCharsets.UTF_8));
        sent.add(dlq.send(out));
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(dlqWaitMillis);
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (KafkaException | ExecutionException | TimeoutException e) {
      log.warn("Currents Kafka forwarder {}: the DLQ topic {} failed: {}", name, dlqTopic, e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
    deadLettered.addAndGet(dead.size());
    log.warn(
        "Currents Kafka forwarder {}: {} events moved to the DLQ topic {}; first reason: {}",
        name,
        dead.size(),
        dlqTopic,
        dead.values().iterator().next());
    return true;
  }

  private void housekeep() {
    Instant now = clock.instant();
    if (now.isBefore(lastHousekeeping.plus(housekeeping))) {
      return;
    }
    lastHousekeeping = now;
    try {
      delivered.purge(now);
      delivery.drainOnce();
    } catch (RuntimeException e) {
      log.warn("Currents Kafka forwarder {}: housekeeping failed: {}", name, e.toString());
    }
  }

  private Duration backoff(int failures) {
    long delay = initialBackoff.toMillis();
    for (int i = 1; i < failures && delay < maxBackoff.toMillis(); i++) {
      delay *= 2;
    }
    return Duration.ofMillis(Math.min(delay, maxBackoff.toMillis()));
  }

  /** Waits in slices, so that close() is not held up by a long backoff. */
  private void pause(Duration wait) {
    Instant until = clock.instant().plus(wait);
    try {
      while (!stopping) {
        Duration left = Duration.between(clock.instant(), until);
        if (left.isNegative() || left.isZero()) {
          return;
        }
        sleeper.sleep(left.compareTo(SLEEP_SLICE) < 0 ? left : SLEEP_SLICE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Builds {@link KafkaCurrentsForwarder}s. */
  public static final class Builder {
    private String bootstrapServers;
    private String topic;
    private String dlqTopic;
    private String groupId;
    private Map<String, String> properties = Map.of();
    private OdpGateway odp;
    private SyncStateStore state;
    private int batchSize = 500;
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private Duration housekeeping = Duration.ofSeconds(5);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration dedupeWindow = Duration.ofDays(7);
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private String name = "forwarder";

    private Builder() {}

    /**
     * Sets the brokers (required).
     *
     * @param servers {@code host:port[,host:port...]}
     * @return this builder
     */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = KafkaConfig.bootstrapServers(servers);
      return this;
    }

    /**
     * Sets the topic the receivers append to (required).
     *
     * @param topic the topic
     * @return this builder
     */
    public Builder topic(String topic) {
      this.topic = KafkaConfig.topic(topic, "topic");
      return this;
    }

    /**
     * Sets the topic refused events go to, with headers {@code dlq-reason}, {@code dlq-source}
     * (topic-partition@offset) and {@code dlq-time} beside the original ones (required).
     *
     * @param topic the DLQ topic
     * @return this builder
     */
    public Builder dlqTopic(String topic) {
      this.dlqTopic = KafkaConfig.topic(topic, "dlqTopic");
      return this;
    }

    /**
     * Sets the consumer group all forwarders of one workspace share (required).
     *
     * @param groupId the group id
     * @return this builder
     */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /**
     * Passes consumer and DLQ-producer properties through, for example security settings; group,
     * servers, commits, offsets reset, acks and idempotence are the forwarder's own.
     *
     * @param properties Kafka client properties
     * @return this builder
     * @throws IllegalArgumentException naming a property the forwarder fixes
     */
    public Builder properties(Map<String, String> properties) {
      this.properties = KafkaConfig.properties(properties);
      return this;
    }

    /**
     * Sets the ODP gateway (required).
     *
     * @param odp the gateway
     * @return this builder
     */
    public Builder odp(OdpGateway odp) {
      this.odp = Objects.requireNonNull(odp, "odp");
      return this;
    }

    /**
     * Sets the state store holding the delivered ids (required); share one PostgreSQL store between
     * hosts.
     *
     * @param state the store
     * @return this builder
     */
    public Builder state(SyncStateStore state) {
      this.state = Objects.requireNonNull(state, "state");
      return this;
    }

    /**
     * Sets the most records read per batch and events per ODP request (default 500, ODP's most).
     *
     * @param events 1 to 500
     * @return this builder
     */
    public Builder batchSize(int events) {
      if (events < 1 || events > 500) {
        throw new IllegalArgumentException("batchSize must be 1 to 500, was " + events);
      }
      this.batchSize = events;
      return this;
    }

    /**
     * Sets how long one poll waits for records (default 500 ms).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder pollTimeout(Duration timeout) {
      this.pollTimeout = positive(timeout, "pollTimeout");
      return this;
    }

    /**
     * Sets the wait after a failed batch, doubling up to {@code max} (defaults 1 s and 60 s; keep
     * {@code max} under the consumer's {@code max.poll.interval.ms}).
     *
     * @param initial the first wait
     * @param max the longest wait
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "backoff initial");
      this.maxBackoff = positive(max, "backoff max");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "backoff max " + max + " must not be below the initial " + initial);
      }
      return this;
    }

    /**
     * Sets how often the member purges old delivered ids and runs one store-outbox cycle (parked
     * events, replayed dead letters, activity record); default 5 s.
     *
     * @param interval a positive duration
     * @return this builder
     */
    public Builder housekeeping(Duration interval) {
      this.housekeeping = positive(interval, "housekeeping");
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for the batch in hand (default 10 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = positive(timeout, "shutdownTimeout");
      return this;
    }

    /**
     * Sets how long delivered ids are remembered (default 7 days, how long Braze retries).
     *
     * @param window a positive duration
     * @return this builder
     */
    public Builder dedupeWindow(Duration window) {
      this.dedupeWindow = positive(window, "dedupeWindow");
      return this;
    }

    /**
     * Sets the clock (default UTC system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how backoff waits are slept (default {@link Sleeper#system()}).
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Names the member in its thread, client id and log lines (default {@code forwarder}).
     *
     * @param name a short name such as the host and an index
     * @return this builder
     */
    public Builder name(String name) {
      if (name == null || !name.matches("[A-Za-z0-9._-]{1,100}")) {
        throw new IllegalArgumentException(
            "name must be 1 to 100 characters of A-Z a-z 0-9 . _ -, was " + name);
      }
      this.name = name;
      return this;
    }

    /**
     * Builds the member; nothing connects before {@link #start()} but the DLQ producer.
     *
     * @return the member
     * @throws IllegalArgumentException if a required setting is missing or Kafka refuses one
     */
    public KafkaCurrentsForwarder build() {
      try {
        return new KafkaCurrentsForwarder(this);
      } catch (KafkaException e) {
        throw new IllegalArgumentException("Kafka client settings: " + e.getMessage(), e);
      }
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
