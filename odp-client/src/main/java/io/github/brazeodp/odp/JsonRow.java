package io.github.brazeodp.odp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes one batch row's JSON straight into a byte array, byte for byte as Moshi's {@code
 * JsonUtf8Writer} would (same escapes, same numbers, unpaired surrogates as {@code ?}). A row is a
 * flat object of known shape, so the writer's scope tracking, deferred names and segment buffers
 * cost more than the bytes themselves: encoding took a third of a segment sync's client time.
 */
final class JsonRow {
  private static final byte[][] ESCAPES = new byte[128][];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = String.format("\\u%04x", c).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
    ESCAPES['"'] = new byte[] {'\\', '"'};
    ESCAPES['\\'] = new byte[] {'\\', '\\'};
    ESCAPES['\t'] = new byte[] {'\\', 't'};
    ESCAPES['\b'] = new byte[] {'\\', 'b'};
    ESCAPES['\n'] = new byte[] {'\\', 'n'};
    ESCAPES['\r'] = new byte[] {'\\', 'r'};
    ESCAPES['\f'] = new byte[] {'\\', 'f'};
  }

  private byte[] bytes = new byte[256];
  private int size;

  /** Appends {@code text} as is; only for the ASCII punctuation and names of the row's frame. */
  JsonRow raw(String text) {
    int n = text.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) text.charAt(i);
    }
    return this;
  }

  JsonRow raw(char c) {
    ensure(1);
    bytes[size++] = (byte) c;
    return this;
  }

  /** Appends {@code text} as a quoted JSON string. */
  JsonRow string(String text) {
    int n = text.length();
    // Room for plain ASCII, the common case; the first character that needs more makes room for
    // the worst case of the rest (a 6-byte escape each). Reserving the worst case for every string
    // grew most rows' arrays twice: a tenth of a segment sync's allocation.
    ensure(n + 2);
    byte[] b = bytes;
    int at = size;
    b[at++] = '"';
    int i = 0;
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x80 || ESCAPES[c] != null) {
        break;
      }
      b[at++] = (byte) c;
    }
    if (i < n) {
      size = at;
      // Surrogate pairs take 4 bytes for 2 chars, within the 6 per char reserved.
      ensure((n - i) * 6 + 1);
      b = bytes;
      for (; i < n; i++) {
        char c = text.charAt(i);
        if (c < 0x80) {
          byte[] escape = ESCAPES[c];
          if (escape == null) {
            b[at++] = (byte) c;
          } else {
            System.arraycopy(escape, 0, b, at, escape.length);
            at += escape.length;
          }
        } else if (c == '\u2028' || c == '\u2029') {
          b[at++] = '\\';
          b[at++] = 'u';
          b[at++] = '2';
          b[at++] = '0';
          b[at++] = '2';
          b[at++] = c == '\u2028' ? (byte) '8' : (byte) '9';
        } else if (c < 0x800) {
          b[at++] = (byte) (0xc0 | (c >> 6));
          b[at++] = (byte) (0x80 | (c & 0x3f));
        } else if (!Character.isSurrogate(c)) {
          b[at++] = (byte) (0xe0 | (c >> 12));
          b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          b[at++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, text.charAt(++i));
          b[at++] = (byte) (0xf0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[at++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          b[at++] = '?';
        }
      }
    }
    b[at++] = '"';
    size = at;
    return this;
  }

  /** Appends a value RowEncoder's checks let through, as Moshi writes it. */
  JsonRow scalar(Object value) {
    if (value == null) {
      return raw("null");
    }
    if (value instanceof String s) {
      return string(s);
    }
    if (value instanceof Boolean b) {
      return raw(b ? "true" : "false");
    }
    if (value instanceof Instant i) {
      return string(i.toString());
    }
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      return raw(Long.toString(((Number) value).longValue()));
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("Numeric values must be finite, but was " + d);
      }
      return raw(Double.toString(d));
    }
    if (value instanceof BigDecimal || value instanceof BigInteger) {
      return raw(value.toString());
    }
    return raw(new BigDecimal(value.toString()).toString());
  }

  int size() {
    return size;
  }

  int capacity() {
    return bytes.length;
  }

  /** Empties the row, keeping its array for the next one. */
  JsonRow clear() {
    size = 0;
    return this;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
