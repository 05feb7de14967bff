package io.github.brazeodp.sync.mapping;

import java.util.Objects;

/**
 * A value one rule could not write for one user; the field was left out and the rest of the user
 * mapped.
 *
 * @param rule the rule's name, e.g. {@code rule #9 (dob → dob_year via year())}
 * @param field the ODP field left out
 * @param value the Braze value, cut to its first 80 characters (and its length) for reports
 * @param reason why it could not be written, e.g. {@code is not a number}
 */
public record ConversionProblem(String rule, String field, String value, String reason) {

  /**
   * Rejects nulls.
   *
   * @param rule the rule's name
   * @param field the ODP field left out
   * @param value the Braze value, shortened
   * @param reason why it could not be written
   */
  public ConversionProblem {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
  }

  /** Returns one line for a report: {@code rule ...: field dob_year: "21/12" is not a date}. */
  @Override
  public String toString() {
    return rule + ": field " + field + ": " + Transform.quote(value) + " " + reason;
  }
}
