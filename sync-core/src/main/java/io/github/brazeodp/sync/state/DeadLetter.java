package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Objects;

/**
 * An event taken out of the outbox because it cannot be delivered: ODP refused it, or it stayed
 * undelivered past the forwarder's maximum age or attempt count. It is kept until replayed or
 * purged, so that nothing acknowledged to the sender leaves the store silently.
 *
 * @param id the event's unique id (the Currents id)
 * @param payload the serialized event, as it was queued
 * @param enqueuedAt when the event was first queued
 * @param deadAt when it was moved to the dead letters
 * @param reason why, in ODP's words when ODP refused it
 * @param attempts the failed delivery attempts counted before it was moved
 */
public record DeadLetter(
    String id, String payload, Instant enqueuedAt, Instant deadAt, String reason, int attempts) {

  /**
   * Checks that no value is null.
   *
   * @param id the event's unique id (the Currents id)
   * @param payload the serialized event, as it was queued
   * @param enqueuedAt when the event was first queued
   * @param deadAt when it was moved to the dead letters
   * @param reason why, in ODP's words when ODP refused it
   * @param attempts the failed delivery attempts counted before it was moved
   */
  public DeadLetter {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    Objects.requireNonNull(deadAt, "deadAt");
    Objects.requireNonNull(reason, "reason");
  }
}
