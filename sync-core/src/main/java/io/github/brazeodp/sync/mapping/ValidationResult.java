package io.github.brazeodp.sync.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a successful {@link FieldMappings#validate}: the rules ready to apply and the
 * prefixed fields to create first.
 *
 * @param mappings the same rules, bound to the schema's field kinds so that {@link
 *     FieldMappings#apply} converts each value to its field's kind; apply these, not the unchecked
 *     rules
 * @param fieldsToCreate prefixed fields ODP lacks, with the kind to create them with, in rule
 *     order; empty unless creating missing prefixed fields was asked for
 */
public record ValidationResult(FieldMappings mappings, Map<String, FieldKind> fieldsToCreate) {

  /**
   * Copies the map, keeping its order.
   *
   * @param mappings the rules bound to the schema's kinds
   * @param fieldsToCreate prefixed fields to create, with their kinds
   */
  public ValidationResult {
    Objects.requireNonNull(mappings, "mappings");
    fieldsToCreate = Collections.unmodifiableMap(new LinkedHashMap<>(fieldsToCreate));
  }
}
