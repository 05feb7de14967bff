package io.github.brazeodp.sync.currents;

import java.util.List;
import java.util.Objects;

/**
 * Where a {@link CurrentsReceiver} hands the events it accepted when they are not to go to the
 * state store's outbox, for example a Kafka topic ({@code
 * io.github.brazeodp.sync.currents.kafka.KafkaCurrentsSink}) that forwarders on other hosts read.
 *
 * <p>The receiver answers Braze 2xx only after {@link #append} returned, and 503 with {@code
 * Retry-After} when it threw, so an implementation returns only once every event of the call is
 * durably kept. A call that threw may have kept some events: Braze resends the whole batch, so the
 * reader must drop repeated Currents ids (the receiver does not mark ids seen in this mode; the
 * reader marks them once delivered).
 */
public interface CurrentsSink {

  /**
   * Keeps the events durably, returning only when every one of them is kept.
   *
   * @param events the accepted events of one request, in the order of the batch
   * @throws RuntimeException if any event may not have been kept; the message is sent to Braze
   */
  void append(List<Event> events);

  /**
   * One accepted event.
   *
   * @param currentsId the Currents event id, also the ODP event's idempotence id
   * @param key the user the event belongs to (Braze user id, else external id, else the first ODP
   *     identifier), so that one user's events stay in order on a partitioned log
   * @param payload the ODP event, serialized as the outbox keeps it; read back with {@link
   *     CurrentsForwarder#deliver}
   */
  record Event(String currentsId, String key, String payload) {

    /**
     * Checks that no value is null.
     *
     * @param currentsId the Currents event id
     * @param key the user key
     * @param payload the serialized ODP event
     */
    public Event {
      Objects.requireNonNull(currentsId, "currentsId");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(payload, "payload");
    }
  }
}
