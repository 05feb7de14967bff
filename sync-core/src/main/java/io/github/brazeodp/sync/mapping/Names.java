package io.github.brazeodp.sync.mapping;

import io.github.brazeodp.braze.ExportSegmentRequest;
import io.github.brazeodp.sync.internal.Text;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Name rules of both sides: Braze sources, ODP targets, the prefix, and close matches. */
final class Names {
  /** ODP's limit on field names. */
  static final int MAX_TARGET_LENGTH = 64;

  /** Braze's limit on {@code custom_attributes_to_export}. */
  static final int MAX_CUSTOM_ATTRIBUTES = 500;

  private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("_?[a-z][a-z0-9_]*_");
  private static final int MAX_PREFIX_LENGTH = 32;

  /**
   * The standard export fields a rule can read (those {@code ExportedUser.field} returns), with the
   * kind of value Braze exports; the others (devices, purchases, ...) are lists, not values.
   */
  static final Map<String, FieldKind> STANDARD_SOURCES = standardSources();

  private Names() {}

  private static Map<String, FieldKind> standardSources() {
    Map<String, FieldKind> m = new LinkedHashMap<>();
    for (String f :
        List.of(
            "external_id",
            "braze_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "dob",
            "home_city",
            "country",
            "language",
            "time_zone",
            "gender",
            "email_subscribe",
            "push_subscribe",
            "attributed_campaign",
            "attributed_source",
            "attributed_adgroup",
            "attributed_ad")) {
      m.put(f, FieldKind.STRING);
    }
    m.put("created_at", FieldKind.TIMESTAMP);
    m.put("uninstalled_at", FieldKind.TIMESTAMP);
    m.put("total_revenue", FieldKind.NUMBER);
    m.put("random_bucket", FieldKind.NUMBER);
    return Map.copyOf(m);
  }

  /** Checks a prefix, throwing {@link IllegalArgumentException} with the rule when it is bad. */
  static String checkPrefix(String prefix) {
    if (prefix == null
        || prefix.length() > MAX_PREFIX_LENGTH
        || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "the Braze prefix must be lower snake case, may start with an underscore, must end with"
              + " \"_\" and have at most "
              + MAX_PREFIX_LENGTH
              + " characters (for example _braze_ or braze_), was "
              + (prefix == null ? "null" : Transform.quote(prefix)));
    }
    return prefix;
  }

  /** Returns why ODP would reject a new field name, or null when the name is fine. */
  static String targetNameProblem(String target, String prefix) {
    String rest = target;
    // The only leading underscore allowed is the prefix's own: that is how Braze data shows in ODP.
    if (prefix.startsWith("_") && target.startsWith(prefix)) {
      rest = target.substring(1);
    }
    if (target.length() <= MAX_TARGET_LENGTH && SNAKE.matcher(rest).matches()) {
      return null;
    }
    return "ODP would reject the field name "
        + Transform.quote(target)
        + ": names are lower snake case (a-z, 0-9, _), start with a letter (or the prefix "
        + prefix
        + ") and have at most "
        + MAX_TARGET_LENGTH
        + " characters";
  }

  /** Returns why a source is not readable, or null when it is. */
  static String sourceProblem(String source) {
    if (source.startsWith(FieldMapping.CUSTOM_ATTRIBUTES)) {
      String name = source.substring(FieldMapping.CUSTOM_ATTRIBUTES.length());
      return name.isBlank() ? "the custom attribute name after custom_attributes. is empty" : null;
    }
    if (STANDARD_SOURCES.containsKey(source)) {
      return null;
    }
    if (ExportSegmentRequest.KNOWN_FIELDS.contains(source)) {
      return "the Braze field "
          + source
          + " is a list or object, not a single value, and cannot be mapped";
    }
    StringBuilder s = new StringBuilder("unknown Braze field ").append(Transform.quote(source));
    List<String> close = closeMatches(source, STANDARD_SOURCES.keySet());
    if (!close.isEmpty()) {
      s.append("; close matches: ").append(String.join(", ", close));
    }
    s.append("; a custom attribute is written custom_attributes.").append(source);
    return s.toString();
  }

  /**
   * Returns up to 5 candidates close to {@code name}: at most 2 edits away, or one a prefix of the
   * other (at least 3 characters shared), nearest first.
   */
  static List<String> closeMatches(String name, Collection<String> candidates) {
    List<Map.Entry<String, Integer>> found = new ArrayList<>();
    for (String c : candidates) {
      if (c.equals(name)) {
        continue;
      }
      int d = levenshtein(name, c);
      boolean prefix =
          Math.min(name.length(), c.length()) >= 3 && (c.startsWith(name) || name.startsWith(c));
      if (d <= 2 || prefix) {
        found.add(Map.entry(c, d));
      }
    }
    found.sort(
        Comparator.comparing(Map.Entry<String, Integer>::getValue)
            .thenComparing(Map.Entry::getKey));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < found.size() && i < 5; i++) {
      out.add(found.get(i).getKey());
    }
    return out;
  }

  static int levenshtein(String a, String b) {
    return Text.distance(a, b);
  }
}
