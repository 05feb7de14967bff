package io.github.brazeodp.sync.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The ODP customer fields the mapping rules are checked against.
 *
 * <p>The sync builds it from {@code GET /v3/schema/objects/customers/fields} (each field's {@code
 * type} through {@link FieldKind#fromOdpType}) and the account's identifiers. An identifier that is
 * not also listed as a field counts as a {@link FieldKind#STRING} field.
 *
 * @param fields ODP customer field name to kind
 * @param identifiers the names of the account's identifier fields, e.g. {@code email}, {@code
 *     phone}
 */
public record CustomerSchema(Map<String, FieldKind> fields, Set<String> identifiers) {

  /**
   * Copies both collections, keeping their order; nulls are rejected.
   *
   * @param fields ODP customer field name to kind
   * @param identifiers the names of the account's identifier fields
   */
  public CustomerSchema {
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(identifiers, "identifiers");
    Map<String, FieldKind> f = new LinkedHashMap<>();
    fields.forEach(
        (name, kind) ->
            f.put(
                Objects.requireNonNull(name, "field name"),
                Objects.requireNonNull(kind, "kind of " + name)));
    Set<String> ids = new LinkedHashSet<>();
    identifiers.forEach(id -> ids.add(Objects.requireNonNull(id, "identifier")));
    fields = Collections.unmodifiableMap(f);
    identifiers = Collections.unmodifiableSet(ids);
  }

  /**
   * Returns the kind of a customer field or identifier, or null when ODP has no such field.
   *
   * @param name the field name
   * @return its kind, or null
   */
  public FieldKind kindOf(String name) {
    FieldKind kind = fields.get(name);
    if (kind == null && identifiers.contains(name)) {
      return FieldKind.STRING;
    }
    return kind;
  }
}
