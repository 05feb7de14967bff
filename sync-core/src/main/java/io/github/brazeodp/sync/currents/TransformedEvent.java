package io.github.brazeodp.sync.currents;

import io.github.brazeodp.odp.OdpEvent;
import java.util.List;
import java.util.Objects;

/**
 * One Currents event turned into an ODP event, with what the transformation had to change.
 *
 * @param currentsId the Currents event id (also the ODP event's idempotence id)
 * @param eventType the Currents event type, for example {@code users.messages.email.Open}
 * @param event the ODP event; its identifiers are empty when the event is {@linkplain #matched()
 *     unmatched}
 * @param notes what was changed on the way, for example a text value cut to 1,024 characters or a
 *     field renamed to avoid a clash; empty when nothing was
 */
public record TransformedEvent(
    String currentsId, String eventType, OdpEvent event, List<String> notes) {

  /**
   * Checks the values and copies the notes.
   *
   * @param currentsId the Currents event id
   * @param eventType the Currents event type
   * @param event the ODP event
   * @param notes what was changed on the way
   */
  public TransformedEvent {
    Objects.requireNonNull(currentsId, "currentsId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(event, "event");
    notes = List.copyOf(notes);
  }

  /**
   * Returns whether at least one ODP identifier was found; ODP refuses events without one, so
   * unmatched events are counted and reported instead of forwarded.
   *
   * @return true when the event can be forwarded
   */
  public boolean matched() {
    return !event.identifiers().isEmpty();
  }

  /**
   * Returns how many text values were cut to ODP's limit.
   *
   * @return the number of truncated fields
   */
  public long truncatedFields() {
    if (notes.isEmpty()) {
      return 0; // nearly every event: no stream to set up
    }
    return notes.stream().filter(n -> n.startsWith(CurrentsTransformer.TRUNCATED_NOTE)).count();
  }
}
