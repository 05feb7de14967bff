package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Objects;

/**
 * A Currents event with no identifier ODP could use yet, kept until the identity map learns its
 * user (the segment sync writes it) or it is too old.
 *
 * @param id the event's unique id (the Currents id)
 * @param payload the serialized event without identifiers, opaque to the store
 * @param brazeId the user's {@code braze_id} (Currents {@code user_id}), or null
 * @param externalId the user's {@code external_id} (Currents {@code external_user_id}), or null
 * @param parkedAt when the event was parked
 */
public record ParkedEvent(
    String id, String payload, String brazeId, String externalId, Instant parkedAt) {

  /**
   * Checks the values: an event is parked only under a user id the identity map can learn.
   *
   * @param id the event's unique id (the Currents id)
   * @param payload the serialized event without identifiers, opaque to the store
   * @param brazeId the user's {@code braze_id} (Currents {@code user_id}), or null
   * @param externalId the user's {@code external_id} (Currents {@code external_user_id}), or null
   * @param parkedAt when the event was parked
   */
  public ParkedEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(parkedAt, "parkedAt");
    if (brazeId == null && externalId == null) {
      throw new IllegalArgumentException(
          "parked event " + id + " needs a brazeId or an externalId to be matched later");
    }
  }
}
