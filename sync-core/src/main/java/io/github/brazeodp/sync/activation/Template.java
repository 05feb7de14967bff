package io.github.brazeodp.sync.activation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A parsed template of the small Liquid subset that activation fields use.
 *
 * <p>Grammar (columns in errors are 1-based positions in the template text):
 *
 * <pre>
 * template := ( text | output )*
 * text     := any characters up to the next "{{" (a "{%" tag is an error)
 * output   := "{{" ws variable ws ( "|" ws filter ws )* "}}"
 * variable := "customer." name | "event.data." name | "event." ( "type" | "action" | "ts" | "id" )
 * name     := [A-Za-z0-9_]+
 * filter   := "upcase" | "downcase" | "default" ws ":" ws string
 * string   := '"' any-but-'"' '"' | "'" any-but-"'" "'"
 * </pre>
 *
 * <p>{@code event.*} values are those of the ODP event that enrolled the customer (event enrollment
 * only): {@code event.data.<field>}, its {@code type}, {@code action}, {@code ts} (ISO-8601) and
 * {@code id} (idempotence id).
 *
 * <p>{@code default} replaces a missing or empty value (as Liquid does for nil and empty strings);
 * filters apply left to right, so {@code {{ customer.name | default: "friend" | upcase }}} renders
 * {@code FRIEND} for a customer without a name. An output whose value is missing or empty and that
 * has no {@code default} makes the whole template render nothing ({@link #render} returns null):
 * the caller leaves the attribute or property out rather than sending {@code ""}, which in Braze
 * would overwrite a value the profile already has.
 */
final class Template {
  private final String source;
  private final List<Part> parts;

  /** The key prefix under which {@link #render} looks up {@code event.*} values. */
  static final String EVENT_PREFIX = "event.";

  private final Set<String> fields;
  private final Set<String> eventFields;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
    Set<String> names = new LinkedHashSet<>();
    Set<String> event = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p instanceof Output o) {
        if (o.field().startsWith(EVENT_PREFIX)) {
          event.add(o.field().substring(EVENT_PREFIX.length()));
        } else {
          names.add(o.field());
        }
      }
    }
    this.fields = Set.copyOf(names);
    this.eventFields = Set.copyOf(event);
  }

  /**
   * Parses a template.
   *
   * @throws SyntaxError with the 1-based column of the problem
   */
  static Template parse(String source) {
    return new Parser(source).parse();
  }

  /** Returns the template text as written. */
  String source() {
    return source;
  }

  /** Returns the ODP customer fields the template reads. */
  Set<String> fields() {
    return fields;
  }

  /**
   * Returns the event values the template reads, without the {@code event.} prefix: {@code
   * data.<field>}, {@code type}, {@code action}, {@code ts} or {@code id}.
   */
  Set<String> eventFields() {
    return eventFields;
  }

  /** Returns whether the template has no output, so it renders the same for every customer. */
  boolean isConstant() {
    return fields.isEmpty() && eventFields.isEmpty();
  }

  /**
   * Renders the template; {@code values} returns a value, or null when there is none: customer
   * fields by name, event values as {@code event.data.<field>}, {@code event.type} and so on.
   *
   * @return the text, or null when an output without {@code default} has no value (leave it out)
   */
  String render(Function<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Text t) {
        out.append(t.text());
      } else {
        Output o = (Output) part;
        String value = values.apply(o.field());
        if (value == null) {
          value = "";
        }
        if (value.isEmpty() && !o.hasDefault()) {
          return null;
        }
        for (Filter f : o.filters()) {
          value = f.apply(value);
        }
        out.append(value);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return source;
  }

  /** A template syntax problem at a 1-based column. */
  static final class SyntaxError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int column;
    private final String problem;

    SyntaxError(int column, String problem) {
      super("column " + column + ": " + problem);
      this.column = column;
      this.problem = problem;
    }

    int column() {
      return column;
    }

    String problem() {
      return problem;
    }
  }

  private sealed interface Part permits Text, Output {}

  private record Text(String text) implements Part {}

  private record Output(String field, List<Filter> filters) implements Part {
    boolean hasDefault() {
      return filters.stream().anyMatch(f -> f.name().equals("default"));
    }
  }

  private record Filter(String name, String argument) {
    String apply(String value) {
      return switch (name) {
        case "upcase" -> value.toUpperCase(Locale.ROOT);
        case "downcase" -> value.toLowerCase(Locale.ROOT);
        case "default" -> value.isEmpty() ? argument : value;
        default -> throw new IllegalStateException("filter " + name + " passed the parser");
      };
    }
  }

  private static final class Parser {
    private static final String NAMESPACE = "customer";
    private static final String EVENT = "event";
    private static final Set<String> EVENT_VALUES = Set.of("type", "action", "ts", "id");
    private final String s;
    private int pos;

    Parser(String source) {
      this.s = source;
    }

    Template parse() {
      List<Part> parts = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      while (pos < s.length()) {
        if (s.startsWith("{%", pos)) {
          throw error(pos, "tags ({% ... %}) are not supported; use {{ customer.<field> }}");
        }
        if (s.startsWith("{{", pos)) {
          if (text.length() > 0) {
            parts.add(new Text(text.toString()));
            text.setLength(0);
          }
          parts.add(output());
        } else {
          text.append(s.charAt(pos++));
        }
      }
      if (text.length() > 0) {
        parts.add(new Text(text.toString()));
      }
      return new Template(s, parts);
    }

    private Output output() {
      int open = pos;
      pos += 2;
      skipSpaces();
      int nameStart = pos;
      String variable = word();
      if (variable.isEmpty()) {
        if (pos >= s.length()) {
          throw error(open, "unclosed {{");
        }
        throw error(nameStart, "expected customer.<field> after {{");
      }
      if (!variable.equals(NAMESPACE) && !variable.equals(EVENT)) {
        throw error(
            nameStart,
            "unknown variable \""
                + variable
                + "\": use customer.<field> or event.data.<field>, event.type, event.action,"
                + " event.ts, event.id");
      }
      if (pos >= s.length() || s.charAt(pos) != '.') {
        throw error(pos, "expected \".\" and a field name after \"" + variable + "\"");
      }
      pos++;
      int fieldStart = pos;
      String field = word();
      if (field.isEmpty()) {
        throw error(fieldStart, "expected a field name after \"" + variable + ".\"");
      }
      if (variable.equals(EVENT)) {
        if (field.equals("data")) {
          if (pos >= s.length() || s.charAt(pos) != '.') {
            throw error(pos, "expected \".\" and a field name after \"event.data\"");
          }
          pos++;
          int dataStart = pos;
          String data = word();
          if (data.isEmpty()) {
            throw error(dataStart, "expected a field name after \"event.data.\"");
          }
          field = EVENT_PREFIX + "data." + data;
        } else if (EVENT_VALUES.contains(field)) {
          field = EVENT_PREFIX + field;
        } else {
          throw error(
              fieldStart,
              "unknown event value \""
                  + field
                  + "\": use event.data.<field>, event.type, event.action, event.ts or event.id");
        }
      }
      List<Filter> filters = new ArrayList<>();
      while (true) {
        skipSpaces();
        if (pos >= s.length()) {
          throw error(open, "unclosed {{ (no matching }})");
        }
        if (s.startsWith("}}", pos)) {
          pos += 2;
          return new Output(field, filters);
        }
        if (s.charAt(pos) != '|') {
          throw error(pos, "expected \"|\" or \"}}\" but found \"" + s.charAt(pos) + "\"");
        }
        pos++;
        skipSpaces();
        filters.add(filter());
      }
    }

    private Filter filter() {
      int start = pos;
      String name = word();
      if (name.isEmpty()) {
        throw error(start, "expected a filter name after \"|\"");
      }
      switch (name) {
        case "upcase", "downcase" -> {
          int after = pos;
          skipSpaces();
          if (pos < s.length() && s.charAt(pos) == ':') {
            throw error(pos, "filter \"" + name + "\" takes no argument");
          }
          pos = after;
          return new Filter(name, null);
        }
        case "default" -> {
          skipSpaces();
          if (pos >= s.length() || s.charAt(pos) != ':') {
            throw error(pos, "filter \"default\" needs a value, e.g. default: \"text\"");
          }
          pos++;
          skipSpaces();
          return new Filter(name, string());
        }
        default -> throw error(start, "unknown filter \"" + name + "\"");
      }
    }

    private String string() {
      if (pos >= s.length() || (s.charAt(pos) != '"' && s.charAt(pos) != '\'')) {
        throw error(pos, "expected a quoted string");
      }
      char quote = s.charAt(pos);
      int open = pos;
      int close = s.indexOf(quote, pos + 1);
      if (close < 0) {
        throw error(open, "unterminated string");
      }
      pos = close + 1;
      return s.substring(open + 1, close);
    }

    private String word() {
      int start = pos;
      while (pos < s.length()
          && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
        pos++;
      }
      return s.substring(start, pos);
    }

    private void skipSpaces() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private static SyntaxError error(int index, String problem) {
      return new SyntaxError(index + 1, problem);
    }
  }
}
