package io.github.brazeodp.sync.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes a stored hash is taken over, gathered in one array and digested in one call. Feeding
 * the digest part by part (a byte array per string, four one-byte updates per length) made the
 * profile hashes a tenth of a segment sync's allocation. Strings are written exactly as {@code
 * String.getBytes(UTF_8)} writes them (an unpaired surrogate as {@code ?}), so the hashes stored by
 * earlier versions stay valid.
 */
public final class DigestInput {
  private static final HexFormat HEX = HexFormat.of();

  private byte[] bytes;
  private int size;

  /**
   * Creates an empty input.
   *
   * @param capacity the bytes expected; the array grows past it when needed
   */
  public DigestInput(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  /** Appends one byte. */
  public DigestInput put(byte b) {
    ensure(1);
    bytes[size++] = b;
    return this;
  }

  /** Appends the UTF-8 byte length of {@code s} as four big-endian bytes, then those bytes. */
  public DigestInput binaryLengthPrefixed(String s) {
    int n = s.length();
    ensure(4 + n);
    int at = size + 4;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return binaryLengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
      }
      bytes[at++] = (byte) c;
    }
    writeInt(size, n);
    size = at;
    return this;
  }

  /** Appends the UTF-8 byte length of {@code s} in ASCII digits and a colon, then those bytes. */
  public DigestInput decimalLengthPrefixed(String s) {
    int n = s.length();
    int digits = digits(n);
    ensure(digits + 1 + n);
    int at = size + digits + 1;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return decimalLengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
      }
      bytes[at++] = (byte) c;
    }
    writeDecimal(size, n, digits);
    size = at;
    return this;
  }

  /** Returns the first 128 bits of SHA-256 over the bytes appended, as 32 lower-case hex digits. */
  public String sha256Hex128() {
    return HEX.formatHex(Sha256.digest(bytes, 0, size), 0, 16);
  }

  private DigestInput binaryLengthPrefixed(byte[] utf8) {
    ensure(4 + utf8.length);
    writeInt(size, utf8.length);
    System.arraycopy(utf8, 0, bytes, size + 4, utf8.length);
    size += 4 + utf8.length;
    return this;
  }

  private DigestInput decimalLengthPrefixed(byte[] utf8) {
    int digits = digits(utf8.length);
    ensure(digits + 1 + utf8.length);
    writeDecimal(size, utf8.length, digits);
    System.arraycopy(utf8, 0, bytes, size + digits + 1, utf8.length);
    size += digits + 1 + utf8.length;
    return this;
  }

  private void writeInt(int at, int n) {
    bytes[at] = (byte) (n >>> 24);
    bytes[at + 1] = (byte) (n >>> 16);
    bytes[at + 2] = (byte) (n >>> 8);
    bytes[at + 3] = (byte) n;
  }

  private void writeDecimal(int at, int n, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      bytes[at + i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    bytes[at + digits] = ':';
  }

  private static int digits(int n) {
    int digits = 1;
    for (int rest = n; rest >= 10; rest /= 10) {
      digits++;
    }
    return digits;
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
