package io.github.brazeodp.odp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One customer profile upsert: the identifiers that find (or create) the customer, and attributes
 * to set.
 *
 * <p>ODP's HTTP API takes identifiers inside {@code attributes}; the client merges them on the wire
 * ({@code {"attributes":{...attributes, ...identifiers}}}) and rejects a name present in both with
 * different values. A null attribute value is sent as JSON null, which ODP treats as clearing the
 * field (unconfirmed for the REST API).
 *
 * @param identifiers at least one identifier, e.g. {@code email}
 * @param attributes fields to set; never null
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-customers">ODP
 *     customers</a>
 */
public record ProfileUpdate(Map<String, String> identifiers, Map<String, Object> attributes) {
  /** Copies the maps, keeping order and null values. */
  public ProfileUpdate {
    identifiers = Maps.copy(identifiers);
    attributes = Maps.copy(attributes);
  }

  /** Returns an empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ProfileUpdate}s. */
  public static final class Builder {
    private final Map<String, String> identifiers = new LinkedHashMap<>();
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    private Builder() {}

    /** Adds an identifier, e.g. {@code identifier("email", "a@example.com")}. */
    public Builder identifier(String name, String value) {
      identifiers.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Sets one attribute; null clears it in ODP. */
    public Builder attribute(String name, Object value) {
      attributes.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Sets all {@code attributes}. */
    public Builder attributes(Map<String, ?> attributes) {
      this.attributes.putAll(attributes);
      return this;
    }

    /** Builds the update. */
    public ProfileUpdate build() {
      return new ProfileUpdate(identifiers, attributes);
    }
  }
}
