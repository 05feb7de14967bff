package io.github.brazeodp.odp;

/**
 * The type of an ODP schema field.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/thebasics-objects-fields">ODP
 *     objects and fields</a>
 */
public enum FieldType {
  /** Text, at most 1,024 characters per value. */
  STRING,
  /** A number. */
  NUMBER,
  /** ISO-8601 or epoch seconds. */
  TIMESTAMP,
  /** {@code true}, {@code false}, {@code 0} or {@code 1}. */
  BOOLEAN,
  /** An embedding vector (Node SDK only). */
  VECTOR,
  /** A type this client does not know yet. */
  UNKNOWN
}
