package io.github.brazeodp.odp;

/**
 * What to do with nested objects and arrays in event data and profile attributes, which ODP fields
 * cannot hold (its fields are string, number, boolean or timestamp).
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-objects-fields">ODP
 *     objects and fields</a>
 */
public enum NestedDataPolicy {
  /** Reject the row with an {@link IllegalArgumentException} naming the field (the default). */
  REJECT,
  /**
   * Flatten into snake-case keys: {@code {"a":{"b":1}}} becomes {@code a_b}, and {@code
   * {"a":[x,y]}} becomes {@code a_0} and {@code a_1}; a key clash is rejected.
   */
  FLATTEN
}
