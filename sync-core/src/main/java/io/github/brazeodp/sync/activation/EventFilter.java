package io.github.brazeodp.sync.activation;

import io.github.brazeodp.odp.OdpEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Which ODP events enroll a customer: an event type, optionally an action, and predicates over the
 * event's data fields. Immutable; each method returns a new filter.
 *
 * <pre>{@code
 * EventFilter paid = EventFilter.type("order").action("purchase").dataEquals("status", "paid");
 * }</pre>
 */
public final class EventFilter implements Predicate<OdpEvent> {
  private final String type;
  private final String action;
  private final List<Condition> conditions;

  private EventFilter(String type, String action, List<Condition> conditions) {
    this.type = type;
    this.action = action;
    this.conditions = List.copyOf(conditions);
  }

  /**
   * Matches events of one ODP event type, any action.
   *
   * @param type the event type, e.g. {@code order}
   * @return the filter
   */
  public static EventFilter type(String type) {
    Objects.requireNonNull(type, "type");
    if (type.isBlank()) {
      throw new IllegalArgumentException("event filter: the event type is blank");
    }
    return new EventFilter(type, null, List.of());
  }

  /**
   * Returns a copy that also requires the action.
   *
   * @param action the event action, e.g. {@code purchase}
   * @return the new filter
   */
  public EventFilter action(String action) {
    return new EventFilter(type, Objects.requireNonNull(action, "action"), conditions);
  }

  /**
   * Returns a copy that also requires a data field to equal a value (compared as text, so {@code 3}
   * matches {@code "3"}).
   *
   * @param field the data field
   * @param value the expected value
   * @return the new filter
   */
  public EventFilter dataEquals(String field, Object value) {
    Objects.requireNonNull(value, "value");
    String expected = String.valueOf(value);
    return where(field, "= " + expected, v -> v != null && expected.equals(String.valueOf(v)));
  }

  /**
   * Returns a copy that also requires a predicate over one data field; the predicate sees null when
   * the event lacks the field.
   *
   * @param field the data field
   * @param description how the condition reads in {@link #toString()}
   * @param predicate the condition
   * @return the new filter
   */
  public EventFilter where(String field, String description, Predicate<Object> predicate) {
    List<Condition> more = new ArrayList<>(conditions);
    more.add(
        new Condition(
            Objects.requireNonNull(field, "field"),
            Objects.requireNonNull(description, "description"),
            Objects.requireNonNull(predicate, "predicate")));
    return new EventFilter(type, action, more);
  }

  /**
   * Tells whether the event matches.
   *
   * @param event an ODP event
   * @return true when type, action and every data condition match
   */
  @Override
  public boolean test(OdpEvent event) {
    if (!type.equals(event.type())) {
      return false;
    }
    if (action != null && !action.equals(event.action())) {
      return false;
    }
    for (Condition c : conditions) {
      if (!c.predicate().test(event.data().get(c.field()))) {
        return false;
      }
    }
    return true;
  }

  /** Returns the event type. */
  String type() {
    return type;
  }

  /** Returns the action, or null for any action. */
  String action() {
    return action;
  }

  /** Returns the data fields the conditions read. */
  Set<String> dataFields() {
    Set<String> names = new TreeSet<>();
    conditions.forEach(c -> names.add(c.field()));
    return names;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("type=").append(type);
    if (action != null) {
      sb.append(" action=").append(action);
    }
    for (Condition c : conditions) {
      sb.append(" data.").append(c.field()).append(' ').append(c.description());
    }
    return sb.toString();
  }

  private record Condition(String field, String description, Predicate<Object> predicate) {}
}
