package io.github.brazeodp.braze;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;

/**
 * A custom event object of {@code /users/track}.
 *
 * <p>Braze treats every event object as a distinct occurrence and does not de-duplicate, so an
 * event is never resent after a request may have reached Braze. See <a
 * href="https://www.braze.com/docs/api/objects_filters/event_object/">event object</a>.
 *
 * @param identifier the user
 * @param name the event name
 * @param time when it happened; sent as ISO 8601 with its offset
 * @param appId optional app identifier
 * @param properties optional properties (names up to 255 characters, no leading {@code $})
 * @param updateExistingOnly {@code _update_existing_only}, or null for Braze's default
 */
public record TrackEvent(
    UserIdentifier identifier,
    String name,
    OffsetDateTime time,
    String appId,
    Map<String, Object> properties,
    Boolean updateExistingOnly) {

  /** Validates the event before any request is built. */
  public TrackEvent {
    Objects.requireNonNull(identifier, "identifier");
    Validation.notBlank("event.name", name);
    if (time == null) {
      throw new IllegalArgumentException("event \"" + name + "\": time is required");
    }
    properties = Properties.check("event \"" + name + "\" properties", properties);
  }

  /** Creates an event with no properties. */
  public static TrackEvent of(UserIdentifier identifier, String name, Instant time) {
    return new TrackEvent(
        identifier,
        name,
        time == null ? null : time.atOffset(java.time.ZoneOffset.UTC),
        null,
        Map.of(),
        null);
  }

  /** Returns a copy with properties. */
  public TrackEvent withProperties(Map<String, ?> newProperties) {
    return new TrackEvent(
        identifier,
        name,
        time,
        appId,
        newProperties == null
            ? Map.of()
            : new java.util.LinkedHashMap<String, Object>(newProperties),
        updateExistingOnly);
  }
}
