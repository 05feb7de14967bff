package io.github.brazeodp.braze;

import java.util.Optional;

/**
 * One item of Braze's {@code errors} array.
 *
 * <p>Braze documents the items as free-form messages; {@code /users/track} sends objects with
 * {@code type}, {@code input_array} and {@code index}. Both shapes are read: a plain string becomes
 * an error with only a message.
 *
 * @param message the human readable reason ({@code type} in object items)
 * @param inputArray {@code attributes}, {@code events} or {@code purchases}, or null
 * @param index the position in that array of the request, or null
 */
public record BrazeError(String message, String inputArray, Integer index) {
  /** Returns the index as an optional. */
  public Optional<Integer> indexValue() {
    return Optional.ofNullable(index);
  }

  @Override
  public String toString() {
    return inputArray == null ? message : inputArray + "[" + index + "]: " + message;
  }
}
