package io.github.brazeodp.sync.state;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One serialized event waiting in the durable outbox to be forwarded.
 *
 * @param id the event's unique id (the Currents id); a second message with the same id is ignored
 * @param payload the serialized event, opaque to the store
 * @param enqueuedAt when the event was accepted
 * @param attempts the failed delivery attempts counted so far (see {@link
 *     SyncStateStore#countAttempts})
 */
public record OutboxMessage(String id, String payload, Instant enqueuedAt, int attempts) {

  /**
   * Checks that no value is null.
   *
   * @param id the event's unique id (the Currents id); a second message with the same id is ignored
   * @param payload the serialized event, opaque to the store
   * @param enqueuedAt when the event was accepted
   * @param attempts the failed delivery attempts counted so far
   */
  public OutboxMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
    }
  }

  /**
   * Creates a message not yet attempted, as the receiver queues it.
   *
   * @param id the event's unique id (the Currents id)
   * @param payload the serialized event, opaque to the store
   * @param enqueuedAt when the event was accepted
   */
  public OutboxMessage(String id, String payload, Instant enqueuedAt) {
    this(id, payload, enqueuedAt, 0);
  }

  /**
   * Returns the size of the payload in UTF-8 bytes, the unit of {@link OutboxSize#bytes()}.
   *
   * @return the payload's byte length
   */
  public long sizeInBytes() {
    return payload.getBytes(StandardCharsets.UTF_8).length;
  }
}
