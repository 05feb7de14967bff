package io.github.brazeodp.sync.mapping;

import java.util.Locale;

/**
 * The kind of value an ODP customer field holds, as far as the mapping rules care.
 *
 * <p>ODP's schema API names the types {@code string}, {@code number}, {@code timestamp} and {@code
 * boolean}; any other type (for example {@code vector}) is {@link #OTHER}, which mapping rules
 * cannot write.
 */
public enum FieldKind {
  /** Text, at most 1,024 characters. */
  STRING,
  /** A number; sent as a JSON integer when integral, else as a JSON decimal. */
  NUMBER,
  /** A point in time; sent as an ISO 8601 UTC string such as {@code 2020-07-10T15:00:00Z}. */
  TIMESTAMP,
  /** {@code true} or {@code false}. */
  BOOLEAN,
  /** Any other ODP type; no rule may target a field of this kind. */
  OTHER;

  /**
   * Returns the kind of an ODP schema type name, {@link #OTHER} for unknown names.
   *
   * @param odpType the {@code type} of an ODP field, for example {@code "number"}
   * @return the matching kind, never null
   */
  public static FieldKind fromOdpType(String odpType) {
    if (odpType == null) {
      return OTHER;
    }
    return switch (odpType.trim().toLowerCase(Locale.ROOT)) {
      case "string" -> STRING;
      case "number" -> NUMBER;
      case "timestamp" -> TIMESTAMP;
      case "boolean" -> BOOLEAN;
      default -> OTHER;
    };
  }

  /**
   * Returns the ODP schema type name used to create a field of this kind.
   *
   * @return {@code string}, {@code number}, {@code timestamp} or {@code boolean}
   * @throws IllegalStateException for {@link #OTHER}, which has no single ODP type
   */
  public String odpType() {
    if (this == OTHER) {
      throw new IllegalStateException("OTHER has no ODP type to create a field with");
    }
    return name().toLowerCase(Locale.ROOT);
  }
}
