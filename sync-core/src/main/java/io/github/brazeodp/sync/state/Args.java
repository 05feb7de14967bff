package io.github.brazeodp.sync.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by both stores, so that they reject the same inputs the same way. */
final class Args {
  private Args() {}

  static String key(String value, String name) {
    return Objects.requireNonNull(value, name);
  }

  /** Returns the elements without repeats, in first-seen order; null elements are rejected. */
  static List<String> unique(Collection<String> values, String name) {
    Objects.requireNonNull(values, name);
    LinkedHashSet<String> set = new LinkedHashSet<>();
    for (String value : values) {
      set.add(Objects.requireNonNull(value, () -> name + " must not contain null"));
    }
    return new ArrayList<>(set);
  }

  static java.time.Duration lease(java.time.Duration lease) {
    Objects.requireNonNull(lease, "lease");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive: " + lease);
    }
    return lease;
  }

  static int limit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    return limit;
  }
}
