package io.github.brazeodp.braze;

import java.util.List;

/**
 * A custom attribute operation instead of a plain value: increment, add to or remove from an array.
 *
 * <p>Serialized as {@code {"inc": n}}, {@code {"add": [...]}} or {@code {"remove": [...]}}. See <a
 * href="https://www.braze.com/docs/api/objects_filters/user_attributes_object/">user attributes
 * object</a>.
 *
 * @param operator {@code inc}, {@code add} or {@code remove}
 * @param operand the increment or the array elements
 */
public record AttributeOperation(String operator, Object operand) {
  /** Validates the operator. */
  public AttributeOperation {
    if (!List.of("inc", "add", "remove").contains(operator)) {
      throw new IllegalArgumentException(
          "operator must be inc, add or remove, was \"" + operator + "\"");
    }
    if (operand instanceof List<?> list) {
      operand = List.copyOf(list);
    }
  }

  /** Increments a numeric attribute by {@code amount} (negative to decrement). */
  public static AttributeOperation increment(long amount) {
    return new AttributeOperation("inc", amount);
  }

  /** Adds the values to an array attribute. */
  public static AttributeOperation add(List<?> values) {
    return new AttributeOperation("add", values);
  }

  /** Removes the values from an array attribute. */
  public static AttributeOperation remove(List<?> values) {
    return new AttributeOperation("remove", values);
  }
}
