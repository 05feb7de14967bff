package io.github.brazeodp.braze;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads an export line's bytes without parsing them: one top-level string field, and a fast digest.
 * Anything the scan cannot read with certainty gives null, so that callers fall back to the parser
 * instead of guessing.
 */
final class LineScan {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private LineScan() {}

  /**
   * Returns the value of the top-level string member {@code key} of the JSON object in {@code b},
   * or null when there is none, it is not a plain string (escapes included), or the bytes are not
   * an object this scan can walk. Nested objects and arrays are skipped, never searched.
   */
  static String topLevelString(byte[] b, String key) {
    byte[] k = key.getBytes(StandardCharsets.US_ASCII);
    int n = b.length;
    int i = blank(b, 0);
    if (i >= n || b[i] != '{') {
      return null;
    }
    i++;
    while (true) {
      i = blank(b, i);
      if (i >= n || b[i] != '"') {
        return null;
      }
      int keyStart = i + 1;
      int keyEnd = stringEnd(b, keyStart);
      if (keyEnd < 0) {
        return null;
      }
      boolean wanted = same(b, keyStart, keyEnd, k);
      i = blank(b, keyEnd + 1);
      if (i >= n || b[i] != ':') {
        return null;
      }
      i = blank(b, i + 1);
      if (wanted) {
        if (i >= n || b[i] != '"') {
          return null;
        }
        int end = stringEnd(b, i + 1);
        if (end < 0 || contains(b, i + 1, end, (byte) '\\')) {
          return null;
        }
        return new String(b, i + 1, end - i - 1, StandardCharsets.UTF_8);
      }
      i = valueEnd(b, i);
      if (i < 0) {
        return null;
      }
      i = blank(b, i);
      if (i >= n || b[i] != ',') {
        return null;
      }
      i++;
    }
  }

  private static boolean same(byte[] b, int from, int to, byte[] k) {
    if (to - from != k.length) {
      return false;
    }
    for (int j = 0; j < k.length; j++) {
      if (b[from + j] != k[j]) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] b, int from, int to, byte c) {
    for (int j = from; j < to; j++) {
      if (b[j] == c) {
        return true;
      }
    }
    return false;
  }

  private static int blank(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
      i++;
    }
    return i;
  }

  /** Returns the index of the quote closing a string whose content starts at {@code i}, or -1. */
  private static int stringEnd(byte[] b, int i) {
    while (i < b.length) {
      byte c = b[i];
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** Returns the index just after the value starting at {@code i}, or -1 when it is unreadable. */
  private static int valueEnd(byte[] b, int i) {
    if (i >= b.length) {
      return -1;
    }
    byte c = b[i];
    if (c == '"') {
      int end = stringEnd(b, i + 1);
      return end < 0 ? -1 : end + 1;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (i < b.length) {
        byte d = b[i];
        if (d == '"') {
          int end = stringEnd(b, i + 1);
          if (end < 0) {
            return -1;
          }
          i = end + 1;
          continue;
        }
        if (d == '{' || d == '[') {
          depth++;
        } else if ((d == '}' || d == ']') && --depth == 0) {
          return i + 1;
        }
        i++;
      }
      return -1;
    }
    int start = i;
    while (i < b.length && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] > ' ') {
      i++;
    }
    return i == start ? -1 : i;
  }

  /** MurmurHash3 x64 128-bit over {@code b} with both halves seeded by {@code seed}, folded. */
  static long murmur64(byte[] b, long seed) {
    long h1 = seed;
    long h2 = seed;
    int blocks = b.length / 16;
    for (int i = 0; i < blocks; i++) {
      long k1 = (long) LONGS.get(b, i * 16);
      long k2 = (long) LONGS.get(b, i * 16 + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    long k1 = 0;
    long k2 = 0;
    int tail = blocks * 16;
    for (int j = 0; j < (b.length & 15); j++) {
      long v = (b[tail + j] & 0xffL);
      if (j < 8) {
        k1 |= v << (8 * j);
      } else {
        k2 |= v << (8 * (j - 8));
      }
    }
    if ((b.length & 15) > 8) {
      h2 ^= mixK2(k2);
    }
    if ((b.length & 15) > 0) {
      h1 ^= mixK1(k1);
    }
    h1 ^= b.length;
    h2 ^= b.length;
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;
    h2 += h1;
    return h1 ^ h2;
  }

  private static long mixK1(long k) {
    return Long.rotateLeft(k * C1, 31) * C2;
  }

  private static long mixK2(long k) {
    return Long.rotateLeft(k * C2, 33) * C1;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
