package io.github.brazeodp.braze;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checks for event and purchase properties, which share Braze's rules. */
final class Properties {
  private Properties() {}

  static Map<String, Object> check(String field, Map<String, ?> properties) {
    if (properties == null || properties.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : properties.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException(field + " has an empty property name");
      }
      if (key.length() > 255) {
        throw new IllegalArgumentException(
            field + "." + key + ": property names are limited to 255 characters");
      }
      if (key.startsWith("$")) {
        throw new IllegalArgumentException(
            field + "." + key + ": property names must not start with '$'");
      }
      if (key.equals("time") || key.equals("event_name")) {
        throw new IllegalArgumentException(
            field + "." + key + ": \"" + key + "\" is reserved by Braze");
      }
      Object value = e.getValue();
      if (value instanceof String s && s.length() > 255) {
        throw new IllegalArgumentException(
            field
                + "."
                + key
                + " is "
                + s.length()
                + " characters, over Braze's limit of 255 for string properties");
      }
      UserAttributes.Builder.checkValue(field + "." + key, value);
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
