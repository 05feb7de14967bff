package io.github.brazeodp.sync.state;

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
    // Counted, not encoded: the receiver and the store each measure every payload, and encoding
    // allocated a copy of each (a row is about 700 bytes). Matches getBytes(UTF_8).length, which
    // writes an unpaired surrogate as one '?'.
    String s = payload;
    long n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          n += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 2; // four bytes for the two chars of the pair
          i++;
        } else if (!Character.isSurrogate(c)) {
          n += 2;
        }
      }
    }
    return n;
  }
}
