package io.github.brazeodp.sync.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Value conversions between Braze export values and ODP field kinds. */
final class Convert {
  /** ODP's limit on text values. */
  static final int MAX_TEXT_LENGTH = 1024;

  // Braze writes created_at as "2020-07-10 15:00:00.000 UTC"; every other date is ISO 8601.
  private static final Pattern BRAZE_UTC =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?) UTC");
  private static final Pattern DATE_SPACE_TIME =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}.*)");
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private Convert() {}

  /** A parsed date or date-time: the calendar date as written and the instant it stands for. */
  record When(LocalDate date, Instant instant) {}

  /** Returns true for values that are left out: null, blank text and empty lists or objects. */
  static boolean isAbsent(Object value) {
    return value == null
        || (value instanceof String s && s.isBlank())
        || (value instanceof List<?> l && l.isEmpty())
        || (value instanceof Map<?, ?> m && m.isEmpty());
  }

  /**
   * Returns whether a value of static kind {@code from} can ever go into a field of kind {@code
   * to}; null means "only known at run time" and is always allowed here.
   */
  static boolean compatible(FieldKind from, FieldKind to) {
    if (from == null || from == to || to == FieldKind.STRING) {
      return true;
    }
    return switch (to) {
      // Text is parsed at run time; a boolean or a point in time is never a number.
      case NUMBER -> from == FieldKind.STRING;
      // ODP reads numbers as epoch seconds.
      case TIMESTAMP -> from == FieldKind.STRING || from == FieldKind.NUMBER;
      // ODP accepts 0 and 1 for booleans.
      case BOOLEAN -> from == FieldKind.STRING || from == FieldKind.NUMBER;
      default -> false;
    };
  }

  /** Converts a present value to {@code kind}, or normalizes it when {@code kind} is null. */
  static Object to(Object value, FieldKind kind) {
    requireScalar(value);
    if (kind == null) {
      return value instanceof Number n ? number(n) : value;
    }
    return switch (kind) {
      case STRING -> text(value);
      case NUMBER -> toNumber(value);
      case TIMESTAMP -> toTimestamp(value);
      case BOOLEAN -> toBoolean(value);
      case OTHER -> throw new ConversionFailure("ODP fields of an unknown type cannot be written");
    };
  }

  /** Returns the text of a scalar: numbers in plain notation without trailing zeros. */
  static String text(Object value) {
    requireScalar(value);
    if (value instanceof Number n) {
      return canonical(number(n));
    }
    return value.toString();
  }

  /** Returns the canonical text of a normalized number, as used by the hash. */
  static String canonical(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return Long.toString(n.longValue());
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (!Double.isFinite(d)) {
        return Double.toString(d);
      }
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
  }

  /** Parses a date or date-time in ISO 8601 or Braze's {@code ... UTC} form; zone-less is UTC. */
  static When parseIso(String text) {
    String s = text.trim();
    if (s.indexOf(' ') > 0) {
      Matcher braze = BRAZE_UTC.matcher(s);
      Matcher spaced = DATE_SPACE_TIME.matcher(s);
      if (braze.matches()) {
        s = braze.group(1) + "T" + braze.group(2) + "Z";
      } else if (spaced.matches()) {
        s = spaced.group(1) + "T" + spaced.group(2);
      }
    }
    // Pick the one parser the shape calls for: a sync parses millions of dates, and a failed
    // java.time parse costs an exception.
    int t = s.indexOf('T');
    if (t < 0 && isPlainDate(s)) {
      // The common case (dob, read by three rules per user) without a formatter.
      try {
        LocalDate d =
            LocalDate.of(
                Integer.parseInt(s, 0, 4, 10),
                Integer.parseInt(s, 5, 7, 10),
                Integer.parseInt(s, 8, 10, 10));
        return new When(d, d.atStartOfDay(ZoneOffset.UTC).toInstant());
      } catch (java.time.DateTimeException e) {
        throw new ConversionFailure("is not a valid date");
      }
    }
    try {
      if (t < 0) {
        LocalDate d = LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE);
        return new When(d, d.atStartOfDay(ZoneOffset.UTC).toInstant());
      }
      String time = s.substring(t + 1);
      if (time.indexOf('[') >= 0) {
        ZonedDateTime z = ZonedDateTime.parse(s, DateTimeFormatter.ISO_ZONED_DATE_TIME);
        return new When(z.toLocalDate(), z.toInstant());
      }
      if (time.endsWith("Z") || time.indexOf('+') >= 0 || time.indexOf('-') >= 0) {
        OffsetDateTime o = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        return new When(o.toLocalDate(), o.toInstant());
      }
      LocalDateTime l = LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
      return new When(l.toLocalDate(), l.toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      throw new ConversionFailure("is not an ISO 8601 date or date-time");
    }
  }

  private static boolean isPlainDate(String s) {
    if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (i != 4 && i != 7 && (s.charAt(i) < '0' || s.charAt(i) > '9')) {
        return false;
      }
    }
    return true;
  }

  /** Parses text with a caller's pattern; without a zone the value is taken as UTC. */
  static When parse(String text, DateTimeFormatter pattern, String patternText) {
    TemporalAccessor t;
    try {
      t =
          pattern.parseBest(
              text.trim(),
              ZonedDateTime::from,
              OffsetDateTime::from,
              LocalDateTime::from,
              LocalDate::from);
    } catch (DateTimeParseException e) {
      throw new ConversionFailure("does not match the date pattern \"" + patternText + "\"");
    }
    if (t instanceof ZonedDateTime z) {
      return new When(z.toLocalDate(), z.toInstant());
    }
    if (t instanceof OffsetDateTime o) {
      return new When(o.toLocalDate(), o.toInstant());
    }
    if (t instanceof LocalDateTime l) {
      return new When(l.toLocalDate(), l.toInstant(ZoneOffset.UTC));
    }
    LocalDate d = (LocalDate) t;
    return new When(d, d.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /** Formats an instant the one way timestamps are sent: ISO 8601 UTC, whole seconds. */
  static String iso(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Returns a short, bounded rendering of a value for reports. */
  static String preview(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value instanceof Number n ? canonical(number(n)) : value.toString();
    int length = s.codePointCount(0, s.length());
    if (length <= 80) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, 80)) + "… (" + length + " characters)";
  }

  private static void requireScalar(Object value) {
    if (value instanceof List<?>) {
      throw new ConversionFailure("is a list; an ODP field holds a single value");
    }
    if (value instanceof Map<?, ?>) {
      throw new ConversionFailure("is an object; an ODP field holds a single value");
    }
    if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      throw new ConversionFailure("is a " + value.getClass().getSimpleName() + ", not a value");
    }
  }

  private static Object toNumber(Object value) {
    if (value instanceof Number n) {
      return number(n);
    }
    if (value instanceof String s) {
      try {
        return number(new BigDecimal(s.trim()));
      } catch (NumberFormatException e) {
        throw new ConversionFailure("is not a number");
      }
    }
    throw new ConversionFailure("is a boolean, not a number");
  }

  /** Normalizes a number: integral values become a Long (Moshi reads JSON numbers as Double). */
  static Number number(Number n) {
    if (n instanceof Long) {
      return n;
    }
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    BigDecimal d;
    if (n instanceof Double || n instanceof Float) {
      double v = n.doubleValue();
      if (!Double.isFinite(v)) {
        throw new ConversionFailure("is not a finite number");
      }
      d = BigDecimal.valueOf(v);
    } else if (n instanceof BigDecimal b) {
      d = b;
    } else {
      try {
        d = new BigDecimal(n.toString());
      } catch (NumberFormatException e) {
        throw new ConversionFailure("is not a number");
      }
    }
    d = d.stripTrailingZeros();
    if (d.scale() <= 0 && d.compareTo(LONG_MIN) >= 0 && d.compareTo(LONG_MAX) <= 0) {
      return d.longValueExact();
    }
    double v = d.doubleValue();
    if (!Double.isFinite(v)) {
      throw new ConversionFailure("is out of range for a number");
    }
    return v;
  }

  private static Object toTimestamp(Object value) {
    if (value instanceof Number n) {
      Number v = number(n);
      long seconds = v instanceof Long l ? l : (long) Math.floor(v.doubleValue());
      try {
        return iso(Instant.ofEpochSecond(seconds));
      } catch (java.time.DateTimeException e) {
        throw new ConversionFailure("is out of range for epoch seconds");
      }
    }
    if (value instanceof String s) {
      return iso(parseIso(s).instant());
    }
    throw new ConversionFailure("is a boolean, not a date or time");
  }

  private static Object toBoolean(Object value) {
    if (value instanceof Boolean) {
      return value;
    }
    if (value instanceof Number n) {
      Number v = number(n);
      if (v instanceof Long l && (l == 0L || l == 1L)) {
        return l == 1L;
      }
      throw new ConversionFailure("is not a boolean (0 or 1)");
    }
    return switch (((String) value).trim().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new ConversionFailure("is not a boolean (true, false, 1 or 0)");
    };
  }
}
