package io.github.brazeodp.sync.mapping;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A change applied to a Braze value before it is converted to the ODP field's kind.
 *
 * <p>Transforms are immutable and compared by {@link #name()}, which also appears in rule names and
 * messages. A transform that returns no value (an empty part of a split, a gender other than M or
 * F) leaves the field out silently; a value it cannot handle (text that is not a date) is reported
 * as a {@link ConversionProblem} and left out. Chain transforms with {@link #andThen(Transform)}.
 */
public final class Transform {

  /** How {@link #dateFormat} writes the date it parsed. */
  public enum DateOutput {
    /** The calendar date as written, as text {@code yyyy-MM-dd}. */
    DATE,
    /** The instant as a number of seconds since 1970-01-01T00:00:00Z. */
    EPOCH_SECONDS,
    /** The instant as ISO 8601 UTC text with whole seconds, e.g. {@code 2020-07-10T15:00:00Z}. */
    ISO_INSTANT
  }

  /** The work of a transform: returns the new value, or null to leave the field out. */
  @FunctionalInterface
  interface Step {
    Object apply(Object value);
  }

  private final String name;
  private final FieldKind kind;
  private final boolean constant;
  private final Step step;

  private Transform(String name, FieldKind kind, boolean constant, Step step) {
    this.name = name;
    this.kind = kind;
    this.constant = constant;
    this.step = step;
  }

  /**
   * Returns a transform that splits text on a literal separator and keeps one trimmed part.
   *
   * @param separator the literal text to split on, for example {@code " "}
   * @param index the part to keep, from 0; negative counts from the end ({@code -1} is the last)
   * @return the transform; a part that does not exist or is blank leaves the field out
   */
  public static Transform split(String separator, int index) {
    Objects.requireNonNull(separator, "separator");
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("split separator must not be empty");
    }
    Pattern literal = Pattern.compile(Pattern.quote(separator));
    return new Transform(
        "split(" + quote(separator) + ", " + index + ")",
        FieldKind.STRING,
        false,
        value -> {
          String[] parts = literal.split(Convert.text(value), -1);
          int i = index < 0 ? parts.length + index : index;
          if (i < 0 || i >= parts.length) {
            return null;
          }
          String part = parts[i].trim();
          return part.isEmpty() ? null : part;
        });
  }

  /**
   * Returns a transform that lower-cases text (locale-independent).
   *
   * @return the transform
   */
  public static Transform lowerCase() {
    return new Transform(
        "lowerCase()",
        FieldKind.STRING,
        false,
        value -> Convert.text(value).toLowerCase(Locale.ROOT));
  }

  /**
   * Returns a transform that upper-cases text (locale-independent).
   *
   * @return the transform
   */
  public static Transform upperCase() {
    return new Transform(
        "upperCase()",
        FieldKind.STRING,
        false,
        value -> Convert.text(value).toUpperCase(Locale.ROOT));
  }

  /**
   * Returns a transform that parses an ISO 8601 date or date-time and writes it as {@code output}.
   *
   * <p>Accepts {@code 1980-12-21}, {@code 2021-06-28T17:02:43.032Z}, offsets and zone ids, and
   * Braze's {@code 2020-07-10 15:00:00.000 UTC}. Values without a zone are taken as UTC, as ODP
   * does.
   *
   * @param output how to write the result
   * @return the transform
   */
  public static Transform dateFormat(DateOutput output) {
    Objects.requireNonNull(output, "output");
    return new Transform(
        "dateFormat(ISO, " + output + ")",
        dateKind(output),
        false,
        value -> writeDate(Convert.parseIso(Convert.text(value)), output));
  }

  /**
   * Returns a transform that parses a date with a {@link DateTimeFormatter} pattern and writes it
   * as {@code output}.
   *
   * @param inputPattern the pattern of the Braze value, for example {@code "dd/MM/yyyy"}; without a
   *     zone the value is taken as UTC
   * @param output how to write the result
   * @return the transform
   * @throws IllegalArgumentException if the pattern is invalid
   */
  public static Transform dateFormat(String inputPattern, DateOutput output) {
    Objects.requireNonNull(inputPattern, "inputPattern");
    Objects.requireNonNull(output, "output");
    DateTimeFormatter pattern;
    try {
      pattern = DateTimeFormatter.ofPattern(inputPattern, Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid date pattern " + quote(inputPattern) + ": " + e.getMessage(), e);
    }
    return new Transform(
        "dateFormat(" + quote(inputPattern) + ", " + output + ")",
        dateKind(output),
        false,
        value -> writeDate(Convert.parse(Convert.text(value), pattern, inputPattern), output));
  }

  /**
   * Returns a transform that always yields {@code value}, whatever the source holds.
   *
   * <p>With a source, the constant is written only for users that have a value there; a rule made
   * by {@link FieldMapping#constant(String, Object)} has no source and writes it for every user.
   *
   * @param value text, a number or a boolean
   * @return the transform
   */
  public static Transform constant(Object value) {
    Objects.requireNonNull(value, "value");
    FieldKind kind;
    String shown;
    if (value instanceof String s) {
      if (s.isBlank()) {
        // "" would clear the field in ODP, which a constant must never do.
        throw new IllegalArgumentException("a constant must not be blank");
      }
      kind = FieldKind.STRING;
      shown = quote(s);
    } else if (value instanceof Number n) {
      value = Convert.number(n);
      kind = FieldKind.NUMBER;
      shown = Convert.canonical((Number) value);
    } else if (value instanceof Boolean) {
      kind = FieldKind.BOOLEAN;
      shown = value.toString();
    } else {
      throw new IllegalArgumentException(
          "a constant must be text, a number or a boolean, was " + value.getClass().getName());
    }
    Object fixed = value;
    return new Transform("constant(" + shown + ")", kind, true, ignored -> fixed);
  }

  /**
   * Returns the built-in gender transform: {@code M} and {@code F} (any case) pass, upper-cased;
   * Braze's other values ({@code O}, {@code U}, {@code N}, {@code P}) leave the field out, because
   * ODP's {@code gender} holds only M or F.
   *
   * @return the transform
   */
  public static Transform gender() {
    return new Transform(
        "gender()",
        FieldKind.STRING,
        false,
        value -> {
          String g = Convert.text(value).trim().toUpperCase(Locale.ROOT);
          return g.equals("M") || g.equals("F") ? g : null;
        });
  }

  /**
   * Returns the built-in time zone transform: IANA zone ids such as {@code America/New_York} pass;
   * other text is reported, because ODP's {@code timezone} expects an IANA id.
   *
   * @return the transform
   */
  public static Transform timeZone() {
    return new Transform(
        "timeZone()",
        FieldKind.STRING,
        false,
        value -> {
          String zone = Convert.text(value).trim();
          try {
            return ZoneId.of(zone).getId();
          } catch (DateTimeException e) {
            throw new ConversionFailure("is not an IANA time zone id");
          }
        });
  }

  /**
   * Returns a transform that takes the year of an ISO 8601 date, for example {@code dob} into
   * {@code dob_year}.
   *
   * @return the transform
   */
  public static Transform year() {
    return new Transform(
        "year()",
        FieldKind.NUMBER,
        false,
        value -> (long) Convert.parseIso(Convert.text(value)).date().getYear());
  }

  /**
   * Returns a transform that takes the month (1 to 12) of an ISO 8601 date.
   *
   * @return the transform
   */
  public static Transform month() {
    return new Transform(
        "month()",
        FieldKind.NUMBER,
        false,
        value -> (long) Convert.parseIso(Convert.text(value)).date().getMonthValue());
  }

  /**
   * Returns a transform that takes the day of the month (1 to 31) of an ISO 8601 date.
   *
   * @return the transform
   */
  public static Transform day() {
    return new Transform(
        "day()",
        FieldKind.NUMBER,
        false,
        value -> (long) Convert.parseIso(Convert.text(value)).date().getDayOfMonth());
  }

  /**
   * Returns a transform that applies this one, then {@code next} to its result.
   *
   * @param next the transform to apply second
   * @return the chained transform; it leaves the field out as soon as a step does
   */
  public Transform andThen(Transform next) {
    Objects.requireNonNull(next, "next");
    Step first = step;
    Step second = next.step;
    return new Transform(
        name + ".andThen(" + next.name + ")",
        next.kind != null ? next.kind : kind,
        constant,
        value -> {
          Object v = first.apply(value);
          return Convert.isAbsent(v) ? null : second.apply(v);
        });
  }

  /**
   * Returns the transform's name, as shown in rule names, for example {@code split(" ", 0)}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /** Returns the kind of value this transform produces, or null when it depends on the input. */
  FieldKind kind() {
    return kind;
  }

  /** Returns true when the transform yields a value without reading its input. */
  boolean isConstant() {
    return constant;
  }

  /**
   * Applies the transform; returns null to leave the field out, throws {@link ConversionFailure}.
   */
  Object apply(Object value) {
    return step.apply(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transform t && t.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }

  private static FieldKind dateKind(DateOutput output) {
    return switch (output) {
      case DATE -> FieldKind.STRING;
      case EPOCH_SECONDS -> FieldKind.NUMBER;
      case ISO_INSTANT -> FieldKind.TIMESTAMP;
    };
  }

  private static Object writeDate(Convert.When when, DateOutput output) {
    return switch (output) {
      case DATE -> when.date().toString();
      case EPOCH_SECONDS -> when.instant().getEpochSecond();
      case ISO_INSTANT -> Convert.iso(when.instant());
    };
  }

  static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
