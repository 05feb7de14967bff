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
 */
public record OutboxMessage(String id, String payload, Instant enqueuedAt) {

  /**
   * Checks that no value is null.
   *
   * @param id the event's unique id (the Currents id); a second message with the same id is ignored
   * @param payload the serialized event, opaque to the store
   * @param enqueuedAt when the event was accepted
   */
  public OutboxMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
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
