package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The ODP identifiers a sync used for one Braze user, so that Currents events carrying only Braze
 * ids can still be attributed to an ODP customer.
 *
 * @param brazeId the user's {@code braze_id}; the key of the map
 * @param externalId the user's {@code external_id}, or null when the user has none
 * @param identifiers ODP identifier name (email, phone, a custom identifier) to value
 * @param updatedAt when a sync last recorded a change of this user's ids
 */
public record IdentityRecord(
    String brazeId, String externalId, Map<String, String> identifiers, Instant updatedAt) {

  /**
   * Validates the values and copies the map.
   *
   * @param brazeId the user's {@code braze_id}
   * @param externalId the user's {@code external_id}, or null
   * @param identifiers ODP identifier name (email, phone, a custom identifier) to value
   * @param updatedAt when a sync last recorded a change of this user's ids
   */
  public IdentityRecord {
    Objects.requireNonNull(brazeId, "brazeId");
    identifiers = Map.copyOf(Objects.requireNonNull(identifiers, "identifiers"));
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * Returns the same record without an external id, as when another user took it over.
   *
   * @return the copy
   */
  IdentityRecord withoutExternalId() {
    return new IdentityRecord(brazeId, null, identifiers, updatedAt);
  }
}
