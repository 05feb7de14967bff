package io.github.brazeodp.odp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies that keep insertion order and, unlike {@link Map#copyOf}, allow null values. */
final class Maps {
  private Maps() {}

  static <V> Map<String, V> copy(Map<String, ? extends V> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
