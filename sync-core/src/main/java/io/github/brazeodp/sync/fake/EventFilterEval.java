package io.github.brazeodp.sync.fake;

import io.github.brazeodp.odp.ExportFilter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Evaluates an {@link ExportFilter} over one row's values the way the fakes read ODP's filtering
 * page: a missing value matches nothing (as in SQL), numbers compare as numbers, text as text, and
 * {@code %} in an {@code =}/{@code !=} text value matches any characters.
 */
final class EventFilterEval {
  private EventFilterEval() {}

  static List<ExportFilter> children(ExportFilter filter) {
    if (filter instanceof ExportFilter.And a) {
      return a.filters();
    }
    if (filter instanceof ExportFilter.Or o) {
      return o.filters();
    }
    return List.of();
  }

  static boolean matches(ExportFilter filter, Map<String, Object> values) {
    if (filter instanceof ExportFilter.And a) {
      return a.filters().stream().allMatch(f -> matches(f, values));
    }
    if (filter instanceof ExportFilter.Or o) {
      return o.filters().stream().anyMatch(f -> matches(f, values));
    }
    ExportFilter.Clause c = (ExportFilter.Clause) filter;
    Object actual = values.get(c.field());
    if (actual == null) {
      return false;
    }
    String text = String.valueOf(actual);
    String expected = String.valueOf(c.value());
    switch (c.operator()) {
      case EQUALS:
        return equal(text, c.value());
      case NOT_EQUALS:
        return !equal(text, c.value());
      default:
        int cmp = compare(text, expected);
        switch (c.operator()) {
          case GREATER_THAN:
            return cmp > 0;
          case GREATER_THAN_OR_EQUAL:
            return cmp >= 0;
          case LESS_THAN:
            return cmp < 0;
          default:
            return cmp <= 0;
        }
    }
  }

  private static boolean equal(String actual, Object expected) {
    if (expected instanceof String s && s.contains("%")) {
      StringBuilder regex = new StringBuilder();
      for (String part : s.split("%", -1)) {
        if (regex.length() > 0 || s.startsWith("%")) {
          regex.append(".*");
        }
        regex.append(Pattern.quote(part));
      }
      return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(actual).matches();
    }
    return compare(actual, String.valueOf(expected)) == 0;
  }

  private static int compare(String actual, String expected) {
    BigDecimal a = number(actual);
    BigDecimal e = number(expected);
    if (a != null && e != null) {
      return a.compareTo(e);
    }
    return actual.compareTo(expected);
  }

  private static BigDecimal number(String s) {
    try {
      return new BigDecimal(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
