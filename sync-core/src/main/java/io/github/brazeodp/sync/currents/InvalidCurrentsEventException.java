package io.github.brazeodp.sync.currents;

/**
 * A Currents event that cannot be forwarded: a required field is missing, a value has the wrong
 * type, the event is too large or too deeply nested.
 *
 * <p>The message names the event's position or id, the field and the offending value, for example
 * {@code events[3].time: must be a number of epoch seconds, was "yesterday" (string)}.
 */
public final class InvalidCurrentsEventException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  InvalidCurrentsEventException(String field, String message) {
    super(message);
    this.field = field;
  }

  /**
   * Returns the field at fault, for example {@code time}, or {@code event} when the event as a
   * whole is at fault (too large, not an object).
   *
   * @return the field's name
   */
  public String field() {
    return field;
  }
}
