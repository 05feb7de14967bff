package io.github.brazeodp.sync.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodings of the SQLite store's columns: instants as epoch nanoseconds (sortable integers) and
 * small string lists and maps as length-prefixed text, which needs no JSON library and cannot be
 * confused by any character in the values.
 */
final class Codec {
  private static final long NANOS = 1_000_000_000L;
  private static final char NULL = '~';

  /**
   * Orders strings by Unicode code point, which is the order of their UTF-8 bytes and so SQLite's
   * default BINARY collation; String's own order differs for characters beyond U+FFFF. The
   * in-memory store sorts with it so that both stores page through keys in the same order.
   */
  static final Comparator<String> CODE_POINT_ORDER =
      (a, b) -> {
        // Char order is code point order unless a surrogate is involved: compare chars, and only
        // at the first difference touching a surrogate go through code points (the in-memory
        // store's tree maps compare keys all the time; code points throughout cost a tenth of
        // its first segment sync).
        int n = Math.min(a.length(), b.length());
        for (int k = 0; k < n; k++) {
          char ca = a.charAt(k);
          char cb = b.charAt(k);
          if (ca != cb) {
            if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
              return byCodePoints(a, b);
            }
            return ca - cb;
          }
        }
        return a.length() - b.length();
      };

  private static int byCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private Codec() {}

  /** Instants a store accepts: those that fit in a signed 64-bit count of nanoseconds. */
  static Instant storable(Instant instant, String name) {
    if (instant != null) {
      try {
        toNanos(instant);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            name + " is outside the range a state store can hold (1677 to 2262): " + instant, e);
      }
    }
    return instant;
  }

  static long toNanos(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS), instant.getNano());
  }

  /** Converts a query bound, saturating so that Instant.MIN and Instant.MAX keep their meaning. */
  static long clampNanos(Instant instant) {
    try {
      return toNanos(instant);
    } catch (ArithmeticException e) {
      return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static Instant fromNanos(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS), Math.floorMod(nanos, NANOS));
  }

  static String encodeList(List<String> values) {
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      if (value == null) {
        out.append(NULL);
      } else {
        out.append(value.length()).append(':').append(value);
      }
    }
    return out.toString();
  }

  static List<String> decodeList(String encoded) {
    List<String> values = new ArrayList<>();
    int i = 0;
    while (i < encoded.length()) {
      if (encoded.charAt(i) == NULL) {
        values.add(null);
        i++;
        continue;
      }
      int colon = encoded.indexOf(':', i);
      if (colon < 0) {
        throw new IllegalArgumentException("malformed encoded list at " + i);
      }
      int length = Integer.parseInt(encoded.substring(i, colon));
      values.add(encoded.substring(colon + 1, colon + 1 + length));
      i = colon + 1 + length;
    }
    return values;
  }

  /** Encodes entries sorted by key, so that equal maps give equal text. */
  static String encodeMap(Map<String, String> map) {
    List<String> flat = new ArrayList<>(map.size() * 2);
    new TreeMap<>(map)
        .forEach(
            (key, value) -> {
              flat.add(key);
              flat.add(value);
            });
    return encodeList(flat);
  }

  static Map<String, String> decodeMap(String encoded) {
    List<String> flat = decodeList(encoded);
    if (flat.size() % 2 != 0) {
      throw new IllegalArgumentException("malformed encoded map");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      map.put(flat.get(i), flat.get(i + 1));
    }
    return Collections.unmodifiableMap(map);
  }
}
