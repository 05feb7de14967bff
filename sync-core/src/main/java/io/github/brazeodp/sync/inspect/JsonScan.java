package io.github.brazeodp.sync.inspect;

import java.util.function.Predicate;

/**
 * A forgiving, single-pass scanner over JSON-ish text that finds object keys ({@code "name"}
 * followed by a colon) without building a tree.
 *
 * <p>Bodies reach the inspector truncated, sometimes not JSON at all, so nothing here ever fails:
 * an unterminated string or value simply runs to the end of the text.
 */
final class JsonScan {
  private JsonScan() {}

  /**
   * Returns {@code text} with the value of every key that {@code sensitive} accepts replaced by
   * {@code "replacement"}, whatever the value's type (string, number, object, array); everything
   * else, whitespace included, is kept as is. Returns the same instance when nothing matched.
   */
  static String replaceValues(String text, Predicate<String> sensitive, String replacement) {
    StringBuilder out = null;
    int copied = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (text.charAt(i) != '"') {
        i++;
        continue;
      }
      int end = stringEnd(text, i);
      int colon = skipWhitespace(text, end);
      if (colon >= n || text.charAt(colon) != ':') {
        i = end;
        continue;
      }
      int valueStart = skipWhitespace(text, colon + 1);
      if (!sensitive.test(decode(text, i + 1, Math.max(i + 1, end - 1)))) {
        i = valueStart;
        continue;
      }
      int valueEnd = valueEnd(text, valueStart);
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, valueStart).append('"').append(replacement).append('"');
      copied = valueEnd;
      i = valueEnd;
    }
    if (out == null) {
      return text;
    }
    return out.append(text, copied, n).toString();
  }

  /** Returns whether any key in {@code text}, at any depth, is accepted by {@code test}. */
  static boolean anyKey(String text, Predicate<String> test) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (text.charAt(i) != '"') {
        i++;
        continue;
      }
      int end = stringEnd(text, i);
      int colon = skipWhitespace(text, end);
      if (colon < n
          && text.charAt(colon) == ':'
          && test.test(decode(text, i + 1, Math.max(i + 1, end - 1)))) {
        return true;
      }
      i = end;
    }
    return false;
  }

  /** Returns the index just past the string that opens at {@code quote}, or the text's end. */
  private static int stringEnd(String text, int quote) {
    int n = text.length();
    int i = quote + 1;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    return n;
  }

  private static int skipWhitespace(String text, int i) {
    int n = text.length();
    while (i < n && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Returns the index just past the value that starts at {@code start}. */
  private static int valueEnd(String text, int start) {
    int n = text.length();
    if (start >= n) {
      return n;
    }
    char first = text.charAt(start);
    if (first == '"') {
      return stringEnd(text, start);
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      int i = start;
      while (i < n) {
        char c = text.charAt(i);
        if (c == '"') {
          i = stringEnd(text, i);
          continue;
        }
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
          if (depth == 0) {
            return i + 1;
          }
        }
        i++;
      }
      return n;
    }
    int i = start;
    while (i < n) {
      char c = text.charAt(i);
      if (c == ',' || c == '}' || c == ']' || Character.isWhitespace(c)) {
        break;
      }
      i++;
    }
    return i;
  }

  /**
   * Decodes the JSON escapes of a key, so that api_key written with an escaped underscore matches.
   */
  private static String decode(String text, int from, int to) {
    if (text.indexOf('\\', from) < 0 || text.indexOf('\\', from) >= to) {
      return text.substring(from, to);
    }
    StringBuilder sb = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      char c = text.charAt(i);
      if (c != '\\' || i + 1 >= to) {
        sb.append(c);
        i++;
        continue;
      }
      char e = text.charAt(i + 1);
      if (e == 'u' && i + 6 <= to) {
        try {
          sb.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
          i += 6;
          continue;
        } catch (NumberFormatException ignored) {
          // Not a valid escape: keep the text as written.
        }
      }
      sb.append(
          switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            default -> e;
          });
      i += 2;
    }
    return sb.toString();
  }
}
