package io.github.brazeodp.odp;

import java.util.Map;
import java.util.Optional;

/**
 * A customer profile as returned by {@code GET /v3/profiles}: free-form attributes, identifiers
 * included. JSON numbers arrive as {@link Double}.
 *
 * @param attributes the profile's fields; never null
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-customers">ODP
 *     customers</a>
 */
public record OdpProfile(Map<String, Object> attributes) {
  /** Copies the attributes, keeping null values. */
  public OdpProfile {
    attributes = Maps.copy(attributes);
  }

  /** Returns the attribute {@code name}, empty when absent or null. */
  public Optional<Object> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  /** Returns the attribute {@code name} as text, empty when absent or null. */
  public Optional<String> string(String name) {
    return attribute(name).map(String::valueOf);
  }
}
