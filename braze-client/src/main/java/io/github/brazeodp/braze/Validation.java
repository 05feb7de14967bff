package io.github.brazeodp.braze;

import java.util.Collection;

/** Argument checks whose messages name the field and the offending value. */
final class Validation {
  private Validation() {}

  static String notBlank(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, was \"" + value + "\"");
    }
    return value;
  }

  static void maxLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters, over Braze's limit of " + max);
    }
  }

  static void maxSize(String field, Collection<?> values, int max) {
    if (values != null && values.size() > max) {
      throw new IllegalArgumentException(
          field + " has " + values.size() + " entries, over Braze's limit of " + max);
    }
  }

  static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }
}
