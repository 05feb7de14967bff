package io.github.brazeodp.sync.mapping;

import io.github.brazeodp.sync.internal.DigestInput;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The ODP customer attributes mapped from one Braze user, with the values that could not be mapped.
 *
 * <p>Values are {@link String}, {@link Long}, {@link Double} or {@link Boolean} (timestamps are ISO
 * 8601 UTC strings); null and blank values are never present, so an upsert never clears a field.
 * Attributes iterate in field-name order whatever order they were given in.
 *
 * @param attributes ODP field name to value, the body of a profile upsert
 * @param problems values left out because they could not be converted, in rule order
 */
public record MappedCustomer(Map<String, Object> attributes, List<ConversionProblem> problems) {

  /**
   * Sorts and copies the attributes; rejects null names and values other than text, numbers and
   * booleans.
   *
   * @param attributes ODP field name to value
   * @param problems values left out
   */
  public MappedCustomer {
    Objects.requireNonNull(attributes, "attributes");
    Map<String, Object> sorted = new TreeMap<>();
    attributes.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "attribute name");
          if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
            throw new IllegalArgumentException(
                "attribute " + k + " must be text, a number or a boolean, was " + v);
          }
          sorted.put(k, v);
        });
    attributes = Collections.unmodifiableMap(sorted);
    problems = List.copyOf(problems);
  }

  /**
   * Returns a stable hash of the attributes, for skipping customers that did not change.
   *
   * <p>32 lower-case hex digits: the first 128 bits of SHA-256 over a canonical encoding (names in
   * order, each value tagged with its type, numbers in plain notation so {@code 107} and {@code
   * 107.0} agree, every part length-prefixed). It depends only on the attributes, never on the
   * order they were added in, the problems or the JVM, so it can be stored across runs and
   * versions.
   *
   * @return the hash
   */
  public String hash() {
    DigestInput in = new DigestInput(attributes.size() * 36);
    // forEach: the entry iterator of the unmodifiable view wraps every entry.
    attributes.forEach(
        (name, v) -> {
          char tag;
          String text;
          if (v instanceof String s) {
            tag = 's';
            text = s;
          } else if (v instanceof Boolean b) {
            tag = 'b';
            text = b.toString();
          } else {
            tag = 'n';
            text = Convert.canonical((Number) v);
          }
          in.binaryLengthPrefixed(name).put((byte) tag).binaryLengthPrefixed(text);
        });
    return in.sha256Hex128();
  }
}
