package io.github.brazeodp.odp;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One ODP event: a {@code type}, an {@code action}, the customer's identifiers and flat data.
 *
 * <p>On the wire, {@code ts} (epoch seconds) and {@code idempotence_id} travel inside {@code data},
 * where ODP's examples and Optimizely's SDKs put them. When no idempotence id is given (here or as
 * {@code data.idempotence_id}), a random UUID is generated once, in the constructor, so resending
 * the same event object reuses it. Data values must be strings (at most 1,024 characters), numbers,
 * booleans, {@link Instant}s (sent as ISO-8601) or null; see {@link NestedDataPolicy} for nested
 * values. The record does not validate: {@link EventsService#send} does, naming the row.
 *
 * @param type event type, e.g. {@code "product"}
 * @param action event action, e.g. {@code "add_to_cart"}; may be null if {@link
 *     BatchSettings#requireAction()} is off
 * @param identifiers at least one customer identifier, e.g. {@code email}
 * @param data additional fields; never null (empty when absent)
 * @param ts when the event happened, or null to let ODP use the arrival time
 * @param idempotenceId the {@code data.idempotence_id} value
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-events">ODP
 *     events</a>
 */
public record OdpEvent(
    String type,
    String action,
    Map<String, String> identifiers,
    Map<String, Object> data,
    Instant ts,
    String idempotenceId) {
  /** Copies the maps (keeping order and null values) and fills in the idempotence id. */
  public OdpEvent {
    identifiers = Maps.copy(identifiers);
    data = Maps.copy(data);
    if (idempotenceId == null) {
      idempotenceId =
          data.get("idempotence_id") instanceof String s ? s : UUID.randomUUID().toString();
    }
  }

  /** Returns a builder for an event of {@code type} and {@code action}. */
  public static Builder builder(String type, String action) {
    return new Builder(type, action);
  }

  /** Builds {@link OdpEvent}s. */
  public static final class Builder {
    private final String type;
    private final String action;
    private final Map<String, String> identifiers = new LinkedHashMap<>();
    private final Map<String, Object> data = new LinkedHashMap<>();
    private Instant ts;
    private String idempotenceId;

    private Builder(String type, String action) {
      this.type = type;
      this.action = action;
    }

    /** Adds an identifier, e.g. {@code identifier("email", "a@example.com")}. */
    public Builder identifier(String name, String value) {
      identifiers.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Adds all {@code identifiers}. */
    public Builder identifiers(Map<String, String> identifiers) {
      this.identifiers.putAll(identifiers);
      return this;
    }

    /** Adds one data field; a null value is sent as JSON null. */
    public Builder data(String name, Object value) {
      data.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    /** Adds all {@code data} fields. */
    public Builder data(Map<String, ?> data) {
      this.data.putAll(data);
      return this;
    }

    /** Sets when the event happened. */
    public Builder ts(Instant ts) {
      this.ts = ts;
      return this;
    }

    /** Sets the idempotence id instead of a generated UUID. */
    public Builder idempotenceId(String idempotenceId) {
      this.idempotenceId = idempotenceId;
      return this;
    }

    /** Builds the event. */
    public OdpEvent build() {
      return new OdpEvent(type, action, identifiers, data, ts, idempotenceId);
    }
  }
}
