package io.github.brazeodp.sync.mapping;

import java.util.Objects;

/**
 * One mapping rule: a Braze export field, an optional transform, and the ODP customer field it
 * writes.
 *
 * <p>A source is either a standard export field by its export name ({@code email}, {@code
 * home_city}, {@code total_revenue}) or a custom attribute written {@code custom_attributes.<name>}
 * ({@code custom_attributes.loyaltyPoints}); the name after the dot is taken verbatim, so a custom
 * attribute called {@code email} does not clash with the standard field. Names are checked by
 * {@link FieldMappings#validate}, not here, so that every problem is reported at once.
 *
 * @param source the Braze field, or null for a rule that writes a constant
 * @param target the ODP customer field
 * @param transform the transform applied before conversion, or null
 * @param kind the kind the rule produces when it should differ from what the source and transform
 *     imply (used for the values and for fields the sync creates), or null
 */
public record FieldMapping(String source, String target, Transform transform, FieldKind kind) {

  /** The source prefix of custom attributes. */
  public static final String CUSTOM_ATTRIBUTES = "custom_attributes.";

  /**
   * Checks the parts that cannot wait for validation.
   *
   * @param source the Braze field, or null for a rule that writes a constant
   * @param target the ODP customer field
   * @param transform the transform, or null
   * @param kind the kind the rule produces, or null
   */
  public FieldMapping {
    Objects.requireNonNull(target, "target");
    if (source == null && (transform == null || !transform.isConstant())) {
      throw new IllegalArgumentException(
          "rule for " + target + " needs a source unless it writes a constant");
    }
    if (kind == FieldKind.OTHER) {
      throw new IllegalArgumentException("a rule cannot produce kind OTHER");
    }
  }

  /**
   * Returns a rule copying {@code source} into {@code target}.
   *
   * @param source a standard export field, or {@code custom_attributes.<name>}
   * @param target the ODP customer field
   * @return the rule
   */
  public static FieldMapping of(String source, String target) {
    return new FieldMapping(Objects.requireNonNull(source, "source"), target, null, null);
  }

  /**
   * Returns a rule writing {@code source}, transformed, into {@code target}.
   *
   * @param source a standard export field, or {@code custom_attributes.<name>}
   * @param target the ODP customer field
   * @param transform the transform to apply
   * @return the rule
   */
  public static FieldMapping of(String source, String target, Transform transform) {
    return new FieldMapping(
        Objects.requireNonNull(source, "source"),
        target,
        Objects.requireNonNull(transform, "transform"),
        null);
  }

  /**
   * Returns a rule copying the custom attribute {@code name} into {@code target}.
   *
   * @param name the custom attribute's name as Braze exports it, e.g. {@code loyaltyPoints}
   * @param target the ODP customer field
   * @return the rule, with source {@code custom_attributes.<name>}
   */
  public static FieldMapping customAttribute(String name, String target) {
    return of(CUSTOM_ATTRIBUTES + Objects.requireNonNull(name, "name"), target);
  }

  /**
   * Returns a rule that writes the same value into {@code target} for every user.
   *
   * @param target the ODP customer field
   * @param value text, a number or a boolean
   * @return the rule, without source
   */
  public static FieldMapping constant(String target, Object value) {
    return new FieldMapping(null, target, Transform.constant(value), null);
  }

  /**
   * Returns a copy that applies {@code transform} (after any transform it already has).
   *
   * @param transform the transform to add
   * @return the new rule
   */
  public FieldMapping with(Transform transform) {
    Objects.requireNonNull(transform, "transform");
    return new FieldMapping(
        source,
        target,
        this.transform == null ? transform : this.transform.andThen(transform),
        kind);
  }

  /**
   * Returns a copy that produces values of {@code kind}, converting at run time: for example a
   * custom attribute holding {@code "321"} as a number, or the kind of a prefixed field the sync
   * creates.
   *
   * @param kind {@code STRING}, {@code NUMBER}, {@code TIMESTAMP} or {@code BOOLEAN}
   * @return the new rule
   */
  public FieldMapping as(FieldKind kind) {
    return new FieldMapping(source, target, transform, Objects.requireNonNull(kind, "kind"));
  }

  /** Returns {@code source → target}, with the transform and kind when present. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    if (source == null) {
      s.append(transform.name());
    } else {
      s.append(source);
    }
    s.append(" → ").append(target);
    if (source != null && transform != null) {
      s.append(" via ").append(transform.name());
    }
    if (kind != null) {
      s.append(" as ").append(kind);
    }
    return s.toString();
  }

  /** Returns true when the source is a custom attribute. */
  boolean readsCustomAttribute() {
    return source != null && source.startsWith(CUSTOM_ATTRIBUTES);
  }

  /** Returns the name of the custom attribute read, or null for other sources. */
  String customAttributeName() {
    return readsCustomAttribute() ? source.substring(CUSTOM_ATTRIBUTES.length()) : null;
  }
}
